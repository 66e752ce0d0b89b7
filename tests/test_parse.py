"""The orchestrator: one row per cell, stage failures become partial reports, unreadable files and files that are no report fail."""
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


NOT_A_REPORT = ("not an annual report: no 政府信息公开工作年度报告 title, no report year, and no statistics table or "
                "statement found")


def test_a_text_file_that_is_no_report_fails_saying_what_was_looked_for():
    readme = ("# ogi\n\nTurns annual reports into tables.\n\n## Usage\n\n    make all\n    ogi build --raw data/raw\n\n"
              "Questions: open an issue.\n")
    result = parse_bytes(readme.encode("utf-8"), "docs/README.md")
    assert (result.report["status"], result.report["template"], result.report["layout"]) == ("failed", "unknown", "none")
    assert result.report["error"] == f"docs/README.md: {NOT_A_REPORT}; check the file"
    assert (result.statistics, result.application_outcomes, result.key_domain_counts, result.validation_results) == (
        [], [], [], [])


def test_a_notice_using_a_template_word_but_holding_no_report_fails_and_says_the_word_was_seen():
    notice = "关于报送政府信息公开情况统计表的通知\n各单位：请于3月31日前报送统计表。\n联系人：办公室\n"
    result = parse_bytes(notice.encode("utf-8"), "通知.txt")
    assert result.report["status"] == "failed"
    assert result.report["error"] == (f"通知.txt: {NOT_A_REPORT} (words of the legacy template appear, but none of it "
                                      "could be read); check the file")


def test_a_report_whose_template_is_unknown_but_whose_statements_were_read_stays_partial(raw_dir):
    """The prose of shanghai-office-2025 without its tables and with its year dropped: no template, but statements."""
    lines = (raw_dir / "shanghai-office-2025.md").read_text(encoding="utf-8").split("\n")
    prose = "\n".join(lines[:lines.index("二、主动公开政府信息情况")]).replace("2025 年", "本").replace("2025\n年", "本年\n")
    result = parse_bytes(prose.encode("utf-8"), "shanghai-prose.md")
    assert (result.report["status"], result.report["template"], result.report["report_year"]) == ("partial", "unknown", None)
    assert result.report["error"] == ("template not recognised (no legacy 统计表 and no 第二十条 tables); check the file "
                                      "is an annual report")
    assert [(r["measure"], r["count"], r["source_line"]) for r in result.application_outcomes] == [
        ("received", 1295.0, 38), ("closed", 1191.0, 38), ("carried_over", 189.0, 39), ("denied", 20.0, 40),
        ("other_processing", 319.0, 42), ("corrected", 0.0, 43)]


def test_a_title_alone_is_a_report_read_in_part_not_a_failure():
    result = parse_bytes("平潭综合实验区2017年度政府信息公开工作年度报告\n".encode("utf-8"), "pingtan-title.txt")
    assert (result.report["status"], result.report["template"], result.report["report_year"]) == ("partial", "legacy", 2017)
    assert result.report["error"] == ("no statistical table found for the legacy template; the report's tables may be "
                                      "missing or in a layout not yet supported")
