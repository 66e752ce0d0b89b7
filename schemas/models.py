"""Pandera models of the output tables, enforced where the data is written; vocabularies derive from the catalogs."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline import catalog
from pipeline.catalog import allowed_units, indicator_units, signed_cell
from schemas.vocabularies import (
    APPLICANTS, CELL_KEY, CHECK_STATUSES, LAYOUTS, OUTCOME_GROUPS, QUALIFIERS, REPORT_YEARS, RESPONSIBILITIES, SEVERITIES,
    SOURCES, STAGES, STAT_TABLES, STATUSES, TEMPLATES, UNITS, UNMAPPED, UNMAPPED_CELL_KEY,
)

CODE = r"^[a-z][a-z0-9_]*$"
@lru_cache(maxsize=None)
def measures() -> dict[str, dict]:
    return {m["measure"]: m for m in catalog.load_csv("measures.csv")}


@lru_cache(maxsize=None)
def domain_codes() -> list[str]:
    return [d["code"] for d in catalog.load_csv("domains.csv")]


@lru_cache(maxsize=None)
def check_ids() -> list[str]:
    return [c["check"] for c in catalog.load_csv("checks.csv")]


def _per_distinct(df: pd.DataFrame, columns: list[str], verdict) -> np.ndarray:
    """verdict(*values) for every row, evaluated once per distinct combination of `columns`: catalog
    lookups repeat across rows, so a frame of any size costs a few hundred calls. Nulls reach `verdict` as None."""
    factorized = [pd.factorize(df[column]) for column in columns]  # a null gets code -1
    group = np.zeros(len(df), dtype=np.int64)
    for codes, uniques in factorized:  # group ids stay below len(df): no overflow however many values
        group, _ = pd.factorize(group * (len(uniques) + 1) + (codes + 1))
    representative = np.zeros(group.max() + 1 if len(df) else 0, dtype=np.int64)
    representative[group] = np.arange(len(df))
    verdicts = [bool(verdict(*(uniques[codes[row]] if codes[row] >= 0 else None for codes, uniques in factorized)))
                for row in representative.tolist()]
    return np.array(verdicts, dtype=bool)[group]


def _blame(df: pd.DataFrame, column: str, ok) -> pd.DataFrame | bool:
    """A row check reported against one column, so failure cases show that column's offending values."""
    return _blame_many(df, {column: ok})


def _blame_many(df: pd.DataFrame, verdicts: dict) -> pd.DataFrame | bool:
    verdicts = {column: np.asarray(ok, dtype=bool) for column, ok in verdicts.items()}
    if all(ok.all() for ok in verdicts.values()):
        return True  # the usual case: pandera has no failure cases to gather from a frame of booleans
    out = pd.DataFrame(True, index=df.index, columns=df.columns)
    for column, ok in verdicts.items():
        out[column] = ok
    return out


class Reports(pa.DataFrameModel):
    report_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 1})
    source_path: Series[str] = pa.Field(unique=True, str_length={"min_value": 1})
    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    template: Series[str] = pa.Field(isin=TEMPLATES)
    layout: Series[str] = pa.Field(isin=LAYOUTS)
    title: Series[str] = pa.Field(nullable=True)
    jurisdiction: Series[str] = pa.Field(nullable=True)
    report_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=REPORT_YEARS[0], le=REPORT_YEARS[-1])
    published_date: Series[pa.Date] = pa.Field(nullable=True)  # a calendar day: Parquet date32, DuckDB DATE
    status: Series[str] = pa.Field(isin=STATUSES)
    error: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(ignore_na=False, error="a report that is not 'parsed' must say why in `error`")
    def unparsed_reports_explain_why(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["status"] == "parsed") | df["error"].notna()


class Statistics(pa.DataFrameModel):
    report_id: Series[str] = pa.Field(str_length={"min_value": 1})
    table: Series[str] = pa.Field(isin=STAT_TABLES)
    scope: Series[str] = pa.Field(nullable=True)
    row_path: Series[str]
    indicator: Series[str] = pa.Field(str_matches=CODE)
    label: Series[str] = pa.Field(str_length={"min_value": 1})
    column: Series[str] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(isin=UNITS)
    value: Series[float] = pa.Field(nullable=True)
    value_raw: Series[str]
    source_line: Series[int] = pa.Field(ge=1)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(ignore_na=False, error="indicator is not in the catalog of its table (schemas/indicators_*.csv)")
    def indicator_in_catalog(cls, df: pd.DataFrame) -> Series[bool]:
        known = indicator_units()
        return _blame(df, "indicator", _per_distinct(df, ["table", "indicator"], lambda t, i: i == UNMAPPED or (t, i) in known))

    @pa.dataframe_check(ignore_na=False, error="the same cell (report, table, scope, indicator, column) is written twice")
    def one_row_per_cell(cls, df: pd.DataFrame) -> Series[bool]:
        unmapped = df["indicator"] == UNMAPPED
        dup = df.duplicated(["report_id", *CELL_KEY], keep=False) & ~unmapped
        dup |= df.duplicated(["report_id", *UNMAPPED_CELL_KEY], keep=False) & unmapped
        return _blame(df, "indicator", ~dup)

    @pa.dataframe_check(ignore_na=False, error="unit is neither the catalog's unit of the indicator/column nor one that may stand for it")
    def unit_fits_catalog(cls, df: pd.DataFrame) -> Series[bool]:
        return _blame(df, "unit", _per_distinct(df, ["table", "indicator", "column", "unit"], lambda t, i, c, u:
                                                u in allowed_units(t, i, c) or (t, i) not in indicator_units()))

    @pa.dataframe_check(ignore_na=False, error="negative value outside a signed column (本年增/减)")
    def non_negative_except_signed(cls, df: pd.DataFrame) -> Series[bool]:
        signed = _per_distinct(df, ["table", "column"], signed_cell)
        return _blame(df, "value", (df["value"].isna() | (df["value"] >= 0)).to_numpy(dtype=bool) | signed)


class KeyDomainCounts(pa.DataFrameModel):
    report_id: Series[str]
    domain: Series[str] = pa.Field(str_matches=CODE)
    domain_label: Series[str] = pa.Field(str_length={"min_value": 1})
    parent_domain: Series[str] = pa.Field(nullable=True)
    count: Series[float] = pa.Field(ge=0)
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS)
    unit: Series[str]
    sentence: Series[str]
    source_line: Series[int] = pa.Field(ge=1)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(ignore_na=False, error="domain / parent_domain is not a code of schemas/domains.csv")
    def domains_in_catalog(cls, df: pd.DataFrame) -> Series[bool]:
        codes = set(domain_codes())
        return _blame_many(df, {"domain": df["domain"].isin(codes),
                                "parent_domain": df["parent_domain"].isna() | df["parent_domain"].isin(codes)})


class ApplicationOutcomes(pa.DataFrameModel):
    report_id: Series[str]
    scope: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=SOURCES)
    stage: Series[str] = pa.Field(isin=STAGES)
    applicant: Series[str] = pa.Field(isin=APPLICANTS)
    measure: Series[str] = pa.Field(str_matches=CODE)
    outcome_group: Series[str] = pa.Field(isin=OUTCOME_GROUPS)
    count: Series[float] = pa.Field(ge=0)
    share_stated_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    label: Series[str]
    source_line: Series[int] = pa.Field(ge=1)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(ignore_na=False, error="measure is not in schemas/measures.csv, or its stage / outcome_group disagree with it")
    def measure_fits_catalog(cls, df: pd.DataFrame) -> Series[bool]:
        def fits(measure, stage, group):
            entry = measures().get(measure)
            return bool(entry) and stage in entry["stages"].split("|") and group == entry["outcome_group"]
        return _blame(df, "measure", _per_distinct(df, ["measure", "stage", "outcome_group"], fits))


class ValidationResults(pa.DataFrameModel):
    report_id: Series[str]
    scope: Series[str] = pa.Field(nullable=True)
    check: Series[str] = pa.Field(isin=check_ids())
    status: Series[str] = pa.Field(isin=CHECK_STATUSES)
    severity: Series[str] = pa.Field(isin=SEVERITIES)
    responsibility: Series[str] = pa.Field(isin=RESPONSIBILITIES)
    expected: Series[float] = pa.Field(nullable=True)
    actual: Series[float] = pa.Field(nullable=True)
    message: Series[str] = pa.Field(str_length={"min_value": 1})
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(ignore_na=False, error="a failed check must state both sides (expected and actual)")
    def failures_state_both_sides(cls, df: pd.DataFrame) -> Series[bool]:
        # Blamed on `status`: pandera shows no failure case for a null cell, and the null side is the fault.
        return _blame(df, "status", (df["status"] != "fail") | (df["expected"].notna() & df["actual"].notna()))


# Output table name → (model, column order). The writer and the DuckDB views derive from this.
TABLES: dict[str, type[pa.DataFrameModel]] = {
    "reports": Reports,
    "statistics": Statistics,
    "key_domain_counts": KeyDomainCounts,
    "application_outcomes": ApplicationOutcomes,
    "validation_results": ValidationResults,
}


def column_names(model: type[pa.DataFrameModel]) -> list[str]:
    return list(model.to_schema().columns)
