"""Consistency checks from the catalog → validation_results rows."""
from __future__ import annotations


def run_report(result) -> list[dict]:
    return []


def run_across(reports, statistics) -> list[dict]:
    return []
