"""The cross-table views (report_scopes … jurisdiction_years) on hand-made Parquet and on the real build."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from fixture_outcomes import tables
from pipeline.build import build
from pipeline.dictionary import open_views, write_tables


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = open_views(write_tables(tmp_path_factory.mktemp("fixture"), tables()))
    yield connection
    connection.close()


def shares(con, report_id, scope=None):
    rows = con.execute("SELECT outcome_group, count, share_pct FROM outcome_shares "
                       "WHERE report_id = ? AND scope IS NOT DISTINCT FROM ? ORDER BY group_order",
                       [report_id, scope]).fetchall()
    return {group: (count, pct) for group, count, pct in rows}


def test_headline_scope_is_the_whole_area_and_every_report_has_one(con):
    rows = con.execute("SELECT report_id, scope FROM report_scopes WHERE headline ORDER BY 1").fetchall()
    assert rows == [("broken", None), ("shanghai-office-2019", None), ("shanghai-office-2020", None),
                    ("zhucheng-2017", "本行政区域")]


def test_outcome_totals_add_applicant_columns_only_where_the_total_column_is_blank(con):
    rows = dict(((m, s), c) for m, s, c in con.execute(
        "SELECT measure, applicants_summed, count FROM outcome_totals WHERE report_id = 'shanghai-office-2019'").fetchall())
    assert rows[("received", False)] == 859          # printed 总计, not 821 + 35 + 2 + 1 added again
    assert rows[("granted", True)] == 272            # 258 + 12 + 1 + 1, 总计 blank in the report
    assert rows[("processed_total", False)] == 805


def test_std2019_shares_of_decided_requests(con):
    # shanghai-office-2019: 805 decided = 272 + 3 + 35 + 337 + 158; no 其他处理 cell printed
    assert shares(con, "shanghai-office-2019") == {
        "granted": (272, 33.79), "partially_granted": (3, 0.37), "denied": (35, 4.35), "unable": (337, 41.86),
        "not_processed": (158, 19.63), "other": (None, None)}


def test_legacy_denied_total_stands_for_its_reasons(con):
    # zhucheng-2017: 88 answered = 39 granted (18 already public + 21) + 3 denied + 44 unable + 2 other
    assert shares(con, "zhucheng-2017", "本行政区域") == {
        "granted": (39, 44.32), "partially_granted": (0, 0.0), "denied": (3, 3.41), "unable": (44, 50.0),
        "not_processed": (None, None), "other": (2, 2.27)}


def test_denominator_is_the_printed_total_and_says_so(con):
    rows = con.execute("SELECT DISTINCT report_id, decided, decided_source, decided_sum FROM outcome_shares "
                       "WHERE headline ORDER BY 1").fetchall()
    assert rows == [("shanghai-office-2019", 805, "printed_total", 805),
                    ("shanghai-office-2020", None, None, None),  # nothing decided was read
                    ("zhucheng-2017", 88, "printed_total", 88)]


def test_report_summary_has_one_row_per_report_with_headline_numbers(con):
    frame = con.execute("SELECT * FROM report_summary").df().set_index("report_id")
    assert sorted(frame.index) == ["broken", "shanghai-office-2019", "shanghai-office-2020", "zhucheng-2017"]
    shanghai = frame.loc["shanghai-office-2019"]
    assert (shanghai.requests_received, shanghai.requests_carried_over, shanghai.requests_decided,
            shanghai.requests_carried_forward) == (859, 18, 805, 72)
    assert (shanghai.denied_pct, shanghai.reviews, shanghai.lawsuits) == (4.35, 7, 9)
    zhucheng = frame.loc["zhucheng-2017"]
    assert (zhucheng.scope, zhucheng.requests_received, zhucheng.granted_pct, zhucheng.reviews, zhucheng.lawsuits,
            zhucheng.domain_counts, zhucheng.failed_checks) == ("本行政区域", 88, 44.32, 2, 1, 1, 1)
    assert frame.loc["broken", "status"] == "failed" and frame.loc["broken", "error"] == "the file is empty"


def test_jurisdiction_years_puts_last_years_carried_forward_beside_this_years_carried_over(con):
    rows = con.execute("SELECT report_year, requests_carried_over, carried_forward_last_year, carry_gap, "
                       "previous_report_id FROM jurisdiction_years WHERE jurisdiction = '上海市人民政府办公厅' "
                       "ORDER BY report_year").fetchall()
    assert rows == [(2019, 18, None, None, None), (2020, 70, 72, -2, "shanghai-office-2019")]


def test_every_view_and_column_carries_its_description_as_a_comment(con):
    missing = con.execute("SELECT table_name || '.' || column_name FROM duckdb_columns() "
                          "WHERE NOT internal AND comment IS NULL").fetchall()
    assert missing == []
    comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'statistics' "
                          "AND column_name = 'value'").fetchone()[0]
    assert "Warning: Blank is not 0" in comment


# --- the real build -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_dir(tmp_path_factory, raw_dir):
    out = tmp_path_factory.mktemp("processed")
    build(raw_dir, out, jobs=1)
    return out


@pytest.fixture(scope="module")
def built(built_dir):
    connection = duckdb.connect(str(built_dir / "ogi.duckdb"), read_only=True)
    yield connection
    connection.close()


def test_real_build_views_are_commented(built):
    comment = built.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'report_summary'").fetchone()[0]
    assert comment.startswith("One row per report")


def test_real_build_summary_covers_every_shipped_report(built):
    rows = built.execute("SELECT report_id, jurisdiction, report_year FROM report_summary ORDER BY 1").fetchall()
    assert rows[:2] == [("pingtan-2017", "平潭综合实验区", 2017), ("pingtan-2023", "平潭综合实验区", 2023)]
    assert len(rows) == 6


def test_real_build_std2021_shares(built):
    got = dict(built.execute("SELECT outcome_group, share_pct FROM outcome_shares "
                             "WHERE report_id = 'pingtan-2023' AND headline").fetchall())
    # 81 processed = 22 + 20 + 5 + 31 + 1 + 2 (the narrative states 6.17 / 38.27 / 1.23 / 2.47)
    assert got == {"granted": 27.16, "partially_granted": 24.69, "denied": 6.17, "unable": 38.27,
                   "not_processed": 1.23, "other": 2.47}


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "denied_share_by_year.py"


def test_pandas_example_answers_the_denied_share_question_like_the_view(built_dir, built):
    run = subprocess.run([sys.executable, str(EXAMPLE), str(built_dir)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["jurisdiction", "report_year", "denied", "decided", "denied_pct"]
    printed = {(cells[0], int(cells[1])): cells[4] for cells in (line.split() for line in lines[1:])}
    from_view = built.execute("SELECT jurisdiction, report_year, denied_pct FROM report_summary "
                              "WHERE denied_pct IS NOT NULL").fetchall()
    assert len(from_view) == 5  # every shipped report but pingtan-2017, which received no request
    assert {(j, y): printed.get((j, y)) for j, y, _ in from_view} == {(j, y): f"{pct:.2f}" for j, y, pct in from_view}
    # zhucheng-2017 (legacy): 3 denied of 88 answered
    assert printed[("诸城市人民政府", 2017)] == "3.41"


def test_real_build_published_date_is_a_date_in_parquet_pandas_and_duckdb(built_dir, built):
    """contract: reports.published_date is `date, nullable` (not a timestamp) in every reader."""
    import pandas as pd
    import pyarrow.parquet as pq

    assert str(pq.read_schema(next((built_dir / "reports.parquet").glob("*.parquet"))).field("published_date").type) == "date32[day]"
    dates = pd.read_parquet(built_dir / "reports.parquet").set_index("report_id")["published_date"]
    assert dates.dtype == object  # pandas keeps a date32 column as datetime.date values
    assert dates.to_dict() == {"pingtan-2017": dt.date(2018, 1, 23), "pingtan-2023": dt.date(2024, 3, 8),
                               "shanghai-office-2019": dt.date(2020, 1, 31), "shanghai-office-2025": None,
                               "shuyang-county-2025": dt.date(2026, 1, 23), "zhucheng-2017": dt.date(2018, 3, 29)}
    assert built.execute("SELECT column_type FROM (DESCRIBE reports) WHERE column_name = 'published_date'").fetchall() == [("DATE",)]
    assert built.execute("SELECT published_date FROM reports WHERE report_id = 'zhucheng-2017'").fetchall() == [(dt.date(2018, 3, 29),)]
