"""What share of requests did each government deny, by year? Answered from the Parquet files with pandas alone.

    .venv/bin/python examples/denied_share_by_year.py [data/processed]

Share = requests denied (不予公开) ÷ requests decided in the year, from each report's own tables:
- counts for all applicants: the printed 总计 column, else the applicant columns added up;
- denied: the printed total (legacy 不同意公开答复数) or, when there is none, its reasons added up;
- decided: the printed total of the year's outcomes (std （七）总计, legacy 申请答复数); where none is printed
  the share is left blank here (the view falls back to the sum of the outcome groups);
- a legacy report with 市本级 and 本行政区域 tables counts once, for 本行政区域 (which includes 市本级).
The same figure is `denied_pct` in the DuckDB view `report_summary`.
"""
import sys
from pathlib import Path

import pandas as pd


def headline_scope(scopes: pd.Series):
    """The scope that speaks for the whole report: unscoped tables, else 本行政区域, else the first by name."""
    present = set(scopes.dropna())
    if scopes.isna().any():
        return None
    return "本行政区域" if "本行政区域" in present else min(present)


def measure_counts(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One count per report and measure in its headline scope, for all applicants."""
    rows = outcomes[(outcomes.source == "table") & (outcomes.stage == "request")]
    headline = rows.groupby("report_id")["scope"].agg(headline_scope).rename("headline")
    rows = rows.join(headline, on="report_id")
    rows = rows[(rows.scope == rows.headline) | (rows.scope.isna() & rows.headline.isna())]
    total_column = rows[rows.applicant == "all"].groupby(["report_id", "measure"])["count"].sum()
    applicant_sum = rows[rows.applicant != "all"].groupby(["report_id", "measure"])["count"].sum()
    return total_column.combine_first(applicant_sum).rename("count").reset_index()


def denied_share(counts: pd.DataFrame) -> pd.DataFrame:
    by_measure = counts.pivot_table(index="report_id", columns="measure", values="count", aggfunc="sum")
    reasons = [m for m in by_measure.columns if m.startswith("denied_")]
    denied = by_measure.get("denied", pd.Series(dtype=float)).combine_first(by_measure[reasons].sum(axis=1, min_count=1))
    decided = by_measure.get("processed_total", pd.Series(dtype=float)).combine_first(
        by_measure.get("answered", pd.Series(dtype=float)))
    return pd.DataFrame({"denied": denied, "decided": decided,
                         "denied_pct": (100 * denied / decided.where(decided > 0)).round(2)})


def main(processed: Path) -> pd.DataFrame:
    reports = pd.read_parquet(processed / "reports.parquet", columns=["report_id", "jurisdiction", "report_year"])
    outcomes = pd.read_parquet(processed / "application_outcomes.parquet")
    shares = denied_share(measure_counts(outcomes))
    table = reports.join(shares, on="report_id", how="inner")
    return table.sort_values(["jurisdiction", "report_year"])[
        ["jurisdiction", "report_year", "denied", "decided", "denied_pct"]]


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/processed")
    if not (folder / "reports.parquet").exists():
        sys.exit(f"no dataset in {folder}: run `make all` first")
    print(main(folder).to_string(index=False))
