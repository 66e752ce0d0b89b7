"""Load the catalogs declared under schemas/ (read once per process)."""
from __future__ import annotations

import csv
from functools import lru_cache

from pipeline.labels import label_key
from schemas import CATALOG_DIR


@lru_cache(maxsize=None)
def load_csv(name: str) -> tuple[dict, ...]:
    """Rows of schemas/<name> as dicts; empty strings stay empty strings."""
    with open(CATALOG_DIR / name, encoding="utf-8", newline="") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


def indicators(table: str | None = None, template: str | None = None) -> list[dict]:
    """Indicator rows, filtered by table and by template ('std' rows serve std2019 and std2021)."""
    rows = load_csv("indicators_legacy.csv") + load_csv("indicators_std.csv")
    out = []
    for row in rows:
        if table and row["table"] != table:
            continue
        if template and row["template"] not in (template, "std" if template.startswith("std") else template):
            continue
        out.append(row)
    return out


def columns(table: str, template: str | None = None) -> list[dict]:
    rows = load_csv("columns.csv")
    return [
        r for r in rows
        if r["table"] == table
        and (template is None or r["template"] in (template, "std" if template.startswith("std") else template))
    ]


# Units that may stand for one another: a report may print 条 where the catalog says 件, never 万元 for 件.
UNIT_FAMILIES = [{"条", "件", "项", "个", "宗", "份", "篇", "册", "家"}, {"次", "场"}, {"人", "人次"},
                 {"万元", "元"}, {"期"}, {"%"}]


def unit_family(unit: str) -> frozenset:
    return frozenset(next((f for f in UNIT_FAMILIES if unit in f), {unit}))


@lru_cache(maxsize=None)
def indicator_units() -> dict[tuple[str, str], frozenset]:
    """(table, indicator) → units the catalog allows (its unit's family, across template rows)."""
    units: dict[tuple[str, str], set] = {}
    for row in indicators():
        units.setdefault((row["table"], row["indicator"]), set()).update(unit_family(row["unit"]))
    return {key: frozenset(v) for key, v in units.items()}


def column_keys(row: dict) -> list[str]:
    """The label keys a columns.csv row is printed under: its label and its aliases."""
    return [label_key(label) for label in [row["column"], *filter(None, row["aliases"].split("|"))]]


@lru_cache(maxsize=None)
def column_catalog() -> dict[tuple[str, str], dict]:
    """(table, printed column key) → its columns.csv row (labels and aliases)."""
    out = {}
    for row in load_csv("columns.csv"):
        for key in column_keys(row):
            out.setdefault((row["table"], key), row)
    return out


@lru_cache(maxsize=None)
def column_codes(table: str, template: str | None = None) -> dict[str, str]:
    """Printed column label key → column code, over one template's columns or (None) every template's."""
    return {key: row["column_code"] for row in columns(table, template) for key in column_keys(row)}


def column_row(table: str, column) -> dict | None:
    return column_catalog().get((table, label_key(column))) if isinstance(column, str) else None


@lru_cache(maxsize=8192)  # asked once per written cell
def allowed_units(table: str, indicator: str, column) -> frozenset:
    units = set(indicator_units().get((table, indicator), ()))
    col = column_row(table, column)
    if col:
        units |= unit_family(col["unit"])
    return frozenset(units)


def signed_cell(table: str, column) -> bool:
    col = column_row(table, column)
    return bool(col) and col["signed"] == "true"


def unit_of(table: str, indicator: str, column: str | None) -> str:
    """The catalog's unit of a cell: its column's where the column sets one (表二), else its indicator's."""
    col = column_row(table, column)
    if col:
        return col["unit"]
    return next((row["unit"] for row in indicators(table) if row["indicator"] == indicator), "件")
