"""Table cells → application_outcomes rows through the outcome crosswalk."""
from __future__ import annotations


def from_statistics(statistics: list[dict], template: str) -> list[dict]:
    return []
