"""The orchestrator: one row per cell, stage failures become partial reports, unreadable files fail."""
from pipeline.parse import parse_bytes


def test_a_table_row_printed_twice_keeps_the_first_reading_and_says_so(raw_dir):
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    row = "| 行政强制 | 2154 |"
    doubled = text.replace(row, row + "\n" + "| 行政强制 | 2155 |", 1)
    result = parse_bytes(doubled.encode("utf-8"), "shuyang-doubled.md")
    cells = [r for r in result.statistics if r["indicator"] == "administrative_enforcement"]
    assert [(c["value"], c["value_raw"]) for c in cells] == [(2154.0, "2154")]
    assert result.report["status"] == "partial"
    assert "「行政强制」/本年处理决定数量 is printed again at line" in result.report["error"]
    assert "with another value ('2155')" in result.report["error"]


def test_a_stage_that_crashes_makes_the_report_partial_not_the_build_fail(raw_dir, monkeypatch):
    import pipeline.narrative as narrative

    def broken(doc, prose):
        raise KeyError("boom")

    monkeypatch.setattr(narrative, "domain_counts", broken)
    result = parse_bytes((raw_dir / "zhucheng-2017.txt").read_bytes(), "zhucheng-2017.txt")
    assert result.report["status"] == "partial"
    assert result.report["error"].startswith("key-domain counts failed (KeyError: 'boom'")
    assert len(result.statistics) == 153 and result.key_domain_counts == []


def test_an_empty_file_is_a_failed_report_naming_the_file():
    result = parse_bytes(b"", "reports/2017/empty.txt")
    assert result.report["status"] == "failed"
    assert result.report["error"] == "reports/2017/empty.txt: the file is empty"


def test_a_unit_that_cannot_be_the_rows_is_replaced_by_the_catalogs(raw_dir):
    text = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8")
    # A shuffled copy put the 万元 cell of 专项经费 right under 收到申请数's value.
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "收到申请数" or line.strip().endswith("收到申请数"))
    value_at = next(i for i in range(at + 1, len(lines)) if lines[i].strip().isdigit())
    lines.insert(value_at - 1, "万元")
    result = parse_bytes("\n".join(lines).encode("utf-8"), "zhucheng-unit.txt")
    received = next(r for r in result.statistics if r["indicator"] == "requests_received")
    assert received["unit"] == "件" and received["value"] == 88.0
    assert "reads unit '万元', which cannot be its unit; the catalog's '件' is used" in result.report["error"]
