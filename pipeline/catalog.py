"""Load the catalogs declared under schemas/ (read once per process)."""
from __future__ import annotations

import csv
from functools import lru_cache

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


@lru_cache(maxsize=4096)
def unit_of(table: str, indicator: str, column: str | None) -> str:
    """The catalog's unit of a cell: its column's where the column sets one (表二), else its indicator's."""
    from pipeline.labels import label_key

    if column:
        key = label_key(column)
        for row in columns(table):
            if key in {label_key(x) for x in [row["column"], *row["aliases"].split("|")] if x}:
                return row["unit"]
    return next((row["unit"] for row in indicators(table) if row["indicator"] == indicator), "件")
