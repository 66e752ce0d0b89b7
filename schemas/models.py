"""Pandera models of the output tables, enforced where the data is written."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.vocabularies import (
    APPLICANTS, CHECK_STATUSES, LAYOUTS, OUTCOME_GROUPS, QUALIFIERS, RESPONSIBILITIES, SEVERITIES,
    SOURCES, STAGES, STAT_TABLES, STATUSES, TEMPLATES, UNITS,
)


class Reports(pa.DataFrameModel):
    report_id: Series[str] = pa.Field(unique=True)
    source_path: Series[str] = pa.Field(unique=True)
    sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    template: Series[str] = pa.Field(isin=TEMPLATES)
    layout: Series[str] = pa.Field(isin=LAYOUTS)
    title: Series[str] = pa.Field(nullable=True)
    jurisdiction: Series[str] = pa.Field(nullable=True)
    report_year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1990, le=2100)
    published_date: Series[pa.DateTime] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=STATUSES)
    error: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = "filter"
        coerce = True

    @pa.dataframe_check(error="a report that is not 'parsed' must say why in `error`")
    def unparsed_reports_explain_why(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["status"] == "parsed") | df["error"].notna()


class Statistics(pa.DataFrameModel):
    report_id: Series[str]
    table: Series[str] = pa.Field(isin=STAT_TABLES)
    scope: Series[str] = pa.Field(nullable=True)
    row_path: Series[str]
    indicator: Series[str] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    label: Series[str]
    column: Series[str] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(isin=UNITS)
    value: Series[float] = pa.Field(nullable=True)
    value_raw: Series[str]
    source_line: Series[int] = pa.Field(ge=1)

    class Config:
        strict = "filter"
        coerce = True
        unique = ["report_id", "table", "scope", "indicator", "label", "column"]

    @pa.dataframe_check(error="negative value outside the signed 本年增/减 column")
    def non_negative_except_signed(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].isna() | (df["value"] >= 0) | (df["column"].fillna("") == "本年增/减")


class KeyDomainCounts(pa.DataFrameModel):
    report_id: Series[str]
    domain: Series[str] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    domain_label: Series[str]
    parent_domain: Series[str] = pa.Field(nullable=True)
    count: Series[float] = pa.Field(ge=0)
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS)
    unit: Series[str]
    sentence: Series[str]
    source_line: Series[int] = pa.Field(ge=1)

    class Config:
        strict = "filter"
        coerce = True


class ApplicationOutcomes(pa.DataFrameModel):
    report_id: Series[str]
    scope: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(isin=SOURCES)
    stage: Series[str] = pa.Field(isin=STAGES)
    applicant: Series[str] = pa.Field(isin=APPLICANTS)
    measure: Series[str] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    outcome_group: Series[str] = pa.Field(isin=OUTCOME_GROUPS)
    count: Series[float] = pa.Field(ge=0)
    share_stated_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    label: Series[str]
    source_line: Series[int] = pa.Field(ge=1)

    class Config:
        strict = "filter"
        coerce = True


class ValidationResults(pa.DataFrameModel):
    report_id: Series[str]
    scope: Series[str] = pa.Field(nullable=True)
    check: Series[str]
    status: Series[str] = pa.Field(isin=CHECK_STATUSES)
    severity: Series[str] = pa.Field(isin=SEVERITIES)
    responsibility: Series[str] = pa.Field(isin=RESPONSIBILITIES)
    expected: Series[float] = pa.Field(nullable=True)
    actual: Series[float] = pa.Field(nullable=True)
    message: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = "filter"
        coerce = True


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
