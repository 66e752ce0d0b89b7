"""Narrative sentences → key-domain counts and request/review/litigation statements."""
from __future__ import annotations


def outcome_statements(doc, template: str, scopes: list[str]) -> list[dict]:
    return []


def domain_counts(doc) -> list[dict]:
    return []
