"""Table cells → application_outcomes rows through the outcome crosswalk (schemas/outcome_crosswalk.csv)."""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from pipeline import catalog
from pipeline.labels import label_key

MAPPED_FIELDS = ("stage", "applicant", "measure")


def _serves(entry_template: str, template: str) -> bool:
    """'std' entries serve std2019 and std2021; others serve their own template only."""
    return entry_template == template or (entry_template == "std" and template.startswith("std"))


@lru_cache(maxsize=None)
def crosswalk(template: str) -> dict[tuple[str, str, str], dict]:
    """(table, axis, code) → crosswalk entry for one template."""
    return {(e["table"], e["axis"], e["code"]): e
            for e in catalog.load_csv("outcome_crosswalk.csv") if _serves(e["template"], template)}


@lru_cache(maxsize=None)
def outcome_groups() -> dict[str, str]:
    return {m["measure"]: m["outcome_group"] for m in catalog.load_csv("measures.csv")}


def _column_entry(table: str, column: str | None, template: str) -> dict | None:
    if not column:
        return None
    key = label_key(column)
    code = catalog.column_codes(table, template).get(key, key)
    return crosswalk(template).get((table, "column", code))


@lru_cache(maxsize=4096)  # asked for every filled cell; reports print the same rows and column labels
def _mapping(table: str, indicator: str, column: str | None, template: str) -> tuple[Mapping[str, str], bool] | None:
    """The fixed fields of a cell's outcome (its row entry completed by its column entry) and whether the
    column names the cell, or None if unmapped."""
    row = crosswalk(template).get((table, "row", indicator))
    column_entry = _column_entry(table, column, template)
    entries = [e for e in (row, column_entry) if e]
    if row is None or any(e["unmapped_because"] for e in entries):
        return None
    mapped = {f: next((e[f] for e in entries if e[f]), "") for f in MAPPED_FIELDS}
    if not all(mapped.values()):
        return None
    # Read-only: the cached fields are shared by every cell of the row, and _outcome copies them into each row.
    fixed = MappingProxyType({"source": "table", **mapped, "outcome_group": outcome_groups()[mapped["measure"]]})
    return fixed, column_entry is not None


def _outcome(stat: dict, fixed: Mapping[str, str], named_by_column: bool) -> dict:
    label = f"{stat['label']} / {stat['column']}" if named_by_column else stat["label"]
    return {"report_id": stat.get("report_id"), "scope": stat.get("scope"), **fixed, "count": float(stat["value"]),
            "share_stated_pct": None, "label": label, "source_line": stat["source_line"]}


def from_statistics(statistics: list[dict], template: str) -> list[dict]:
    """One outcome row per filled request/review/litigation cell; blank cells and unmapped rows give none."""
    rows = []
    for stat in statistics:
        if stat.get("value") is None:
            continue
        found = _mapping(stat["table"], stat["indicator"], stat.get("column"), template)
        if found:
            rows.append(_outcome(stat, *found))
    return rows
