"""Pandera models: real parsed rows pass; a corrupted frame fails naming the column and the offending values."""
import datetime as dt
import shutil

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from pipeline import write
from pipeline.cli import main
from pipeline.parse import parse_document
from pipeline.catalog import allowed_units


@pytest.fixture(scope="module")
def seed_rows(doc):
    return parse_document(doc("zhucheng-2017.txt"))


def frame(name, rows):
    return write.to_frame(name, [dict(r) for r in rows])


def violation(name, rows) -> str:
    with pytest.raises(write.SchemaViolation) as exc:
        write.validate(name, frame(name, rows))
    return str(exc.value)


@pytest.mark.parametrize("report", ["zhucheng-2017.txt", "pingtan-2017.txt", "shanghai-office-2019.html",
                                    "pingtan-2023.txt"])
def test_real_rows_pass_every_model(doc, report):
    result = parse_document(doc(report))
    for name in write.TABLE_NAMES:
        rows = [result.report] if name == "reports" else getattr(result, name)
        assert len(write.validate(name, frame(name, rows))) == len(rows)


def test_negative_count_is_named_with_its_value(seed_rows):
    rows = [dict(r) for r in seed_rows.statistics]
    rows[3]["value"] = -3.0
    message = violation("statistics", rows)
    assert "negative value" in message and "'value': -3.0" in message


def test_signed_change_column_may_be_negative(doc):
    rows = [dict(r) for r in parse_document(doc("shanghai-office-2019.html")).statistics]
    change = next(r for r in rows if r["column"] == "本年增/减")
    change["value"] = -12.0
    write.validate("statistics", frame("statistics", rows))


def test_unknown_unit_and_a_unit_from_another_family_are_named(seed_rows):
    rows = [dict(r) for r in seed_rows.statistics]
    rows[0]["unit"] = "斤"
    rows[1]["unit"] = "万元"  # 主动公开规范性文件数 is counted in 条
    message = violation("statistics", rows)
    assert "斤" in message and "'unit': '万元'" in message


def test_printed_unit_of_the_same_family_is_accepted(doc):
    # pingtan-2017 prints 条 for 受理政府信息依申请公开总数, whose catalog unit is 件
    rows = parse_document(doc("pingtan-2017.txt")).statistics
    received = next(r for r in rows if r["indicator"] == "requests_received")
    assert received["unit"] == "条" and "条" in allowed_units("legacy_stats", "requests_received", received["column"])
    assert "万元" not in allowed_units("legacy_stats", "requests_received", None)


def test_indicator_outside_the_catalog_and_duplicate_cells_fail(seed_rows):
    rows = [dict(r) for r in seed_rows.statistics]
    rows[0]["indicator"] = "made_up_row"
    assert "'indicator': 'made_up_row'" in violation("statistics", rows)
    rows = [dict(r) for r in seed_rows.statistics]
    assert "written twice" in violation("statistics", rows + [dict(rows[5], label="另一个标签")])


def test_unmapped_rows_are_data_not_violations(seed_rows):
    rows = [dict(r) for r in seed_rows.statistics]
    extra = [dict(rows[5], indicator="unmapped", label="新增指标甲", source_line=900),
             dict(rows[5], indicator="unmapped", label="新增指标乙", source_line=902)]
    write.validate("statistics", frame("statistics", rows + extra))
    assert "written twice" in violation("statistics", rows + extra + [dict(extra[0])])


def test_outcome_measure_must_fit_its_stage_and_group(seed_rows):
    rows = [dict(r) for r in seed_rows.application_outcomes]
    write.validate("application_outcomes", frame("application_outcomes", rows))
    rows[0] = dict(rows[0], measure="received", stage="review")
    assert "'measure': 'received'" in violation("application_outcomes", rows)


def test_validation_rows_use_catalog_ids_and_failures_state_both_sides(seed_rows):
    rows = [dict(r) for r in seed_rows.validation_results]
    assert any(r["status"] == "fail" for r in rows)
    write.validate("validation_results", frame("validation_results", rows))
    fail = next(r for r in rows if r["status"] == "fail")
    assert "no_such_check" in violation("validation_results", [dict(fail, check="no_such_check")])
    assert "expected" in violation("validation_results", [dict(fail, expected=None)])


def test_a_schema_violation_no_report_can_be_blamed_for_fails_the_build_and_keeps_the_previous_dataset(
        tmp_path, raw_dir, monkeypatch):
    """A row of one report breaking its schema fails that report alone (test_build); cross-report rows that
    break it are a pipeline bug no report can carry: nothing is published."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(raw_dir / "zhucheng-2017.txt", raw)
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--raw", str(raw), "--out", str(out), "-j", "1"]).exit_code == 0
    before = (out / "current").resolve()
    rows_before = pd.read_parquet(out / "statistics.parquet")

    from pipeline import checks

    real = checks.run_across
    assert "carried_forward_next_year" in {c["check"] for c in checks.catalog.load_csv("checks.csv")}

    def corrupted(reports_rows, statistics_rows):
        broken = {"report_id": "zhucheng-2017", "scope": None, "check": "carried_forward_next_year", "status": "broken",
                  "severity": "warning", "responsibility": "source", "expected": None, "actual": None,
                  "message": "a row no report produced", "source_line": None}
        return [*real(reports_rows, statistics_rows), broken]

    monkeypatch.setattr(checks, "run_across", corrupted)
    shutil.copy(raw_dir / "pingtan-2017.txt", raw)
    res = runner.invoke(main, ["build", "--raw", str(raw), "--out", str(out), "-j", "1"])
    assert res.exit_code != 0, res.output
    assert "status" in res.output and "broken" in res.output
    assert (out / "current").resolve() == before
    pd.testing.assert_frame_equal(pd.read_parquet(out / "statistics.parquet"), rows_before)


def _batch(results) -> write.RowBatch:
    batch = write.RowBatch()
    for result in results:
        batch.add({name: [result.report] if name == "reports" else getattr(result, name) for name in write.TABLE_NAMES})
    return batch


def test_a_batch_validates_to_what_its_rows_validate_to_one_report_at_a_time(doc):
    results = [parse_document(doc(name)) for name in ("zhucheng-2017.txt", "shanghai-office-2019.html")]
    batch = _batch(results)
    for name in write.TABLE_NAMES:
        parts = batch.validated_parts(name)
        for result, part in zip(results, parts):
            rows = [result.report] if name == "reports" else getattr(result, name)
            alone = write.validate(name, frame(name, rows))
            assert part.equals(pa.Table.from_pandas(alone, schema=write.arrow_schema(name), preserve_index=False)), name


def test_a_batch_value_of_the_wrong_type_is_named_by_pandera(seed_rows):
    batch = _batch([seed_rows])
    batch.columns["statistics"]["source_line"][2] = "第三行"
    with pytest.raises(write.SchemaViolation) as exc:
        batch.validated_parts("statistics")
    assert "source_line" in str(exc.value) and "第三行" in str(exc.value)


def test_published_date_is_a_calendar_day_in_the_model_and_in_arrow(doc):
    """contract: published_date is a date (no time of day), null when the report prints none."""
    results = [parse_document(doc(name)) for name in ("zhucheng-2017.txt", "shanghai-office-2025.md")]
    assert write.arrow_schema("reports").field("published_date").type == pa.date32()
    table = pa.concat_tables(_batch(results).validated_parts("reports"))
    assert table.schema.field("published_date").type == pa.date32()
    assert table.column("published_date").to_pylist() == [dt.date(2018, 3, 29), None]
    validated = write.validate("reports", frame("reports", [r.report for r in results]))
    assert validated["published_date"].tolist()[0] == dt.date(2018, 3, 29)
    assert pd.isna(validated["published_date"].tolist()[1])


def test_a_published_date_that_is_no_date_is_named_by_pandera(seed_rows):
    report = dict(seed_rows.report, published_date="2018年春")
    message = violation("reports", [report])
    assert "published_date" in message and "2018年春" in message
