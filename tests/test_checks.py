"""Consistency checks on the shipped reports (real values) and on realistic rows, each with a pass and a fail."""
import copy

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import checks
from pipeline.cli import main
from pipeline.parse import parse_bytes, parse_document


@pytest.fixture(scope="module")
def parsed():
    cache = {}

    def load(doc, name):
        if name not in cache:
            document = doc(name)
            cache[name] = (parse_document(document), document)
        result, document = cache[name]
        return copy.deepcopy(result), document

    return load


def results(result, doc=None, check=None, status=None):
    rows = checks.run_report(result, doc)
    return [r for r in rows if (check is None or r["check"] == check) and (status is None or r["status"] == status)]


def stat(result, indicator, scope=None, column=None):
    return next(r for r in result.statistics if r["indicator"] == indicator and r.get("scope") == scope
                and (column is None or r.get("column") == column))


LEGACY_SUMS = [c["check"] for c in checks.check_catalog().values()
               if c["template"] == "legacy" and c["kind"] == "equal" and c["responsibility"] == "layout"]


@pytest.mark.parametrize("check", LEGACY_SUMS)
def test_legacy_sums_hold_on_the_seed_and_fail_when_a_part_changes(doc, parsed, check):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    rows = results(result, check=check)
    assert rows and all(r["status"] == "pass" for r in rows)
    part = checks.check_catalog()[check]["rhs"].split("+")[0]
    stat(result, part, "本行政区域")["value"] += 1
    failed = results(result, check=check, status="fail")
    assert [r["scope"] for r in failed] == ["本行政区域"]
    assert failed[0]["responsibility"] == "source" and stat(result, part, "本行政区域")["label"] in failed[0]["message"]


def test_blank_parts_count_as_zero_and_say_so_even_when_every_part_is_blank(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    stat(result, "archive_electronic", "市本级")["value"] = None
    stat(result, "archive_submissions", "市本级")["value"] = 224
    row = next(r for r in results(result, check="legacy_archive_by_medium") if r["scope"] == "市本级")
    assert row["status"] == "pass" and "「(二)电子文件数」 taken as 0" in row["message"]
    stat(result, "archive_paper", "市本级")["value"] = None
    row = next(r for r in results(result, check="legacy_archive_by_medium") if r["scope"] == "市本级")
    assert (row["status"], row["expected"], row["actual"]) == ("fail", 0, 224)
    assert row["message"].endswith("; blank 「(一)纸质文件数」, 「(二)电子文件数」 taken as 0")


def test_reading_points_printed_twice_disagree_in_the_city_table(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    rows = {r["scope"]: r for r in results(result, check="legacy_reading_points_same_concept")}
    assert rows["本行政区域"]["status"] == "pass"
    city = rows["市本级"]
    assert (city["status"], city["expected"], city["actual"], city["source_line"]) == ("fail", 87, 71, 516)
    assert "设置政府信息查阅点数" in city["message"] and "设置政府信息公开查阅点数" in city["message"]


def test_channels_cover_the_deduplicated_total_but_never_need_to_equal_it(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    assert {r["status"] for r in results(result, check="legacy_channels_cover_total")} == {"pass"}  # 24968 ≥ 22794
    stat(result, "active_total", "市本级")["value"] = 30000
    assert [r["scope"] for r in results(result, check="legacy_channels_cover_total", status="fail")] == ["市本级"]


def test_of_which_rows_stay_within_their_parent(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    assert {r["status"] for r in results(result, check="legacy_leader_press_within_parent")} == {"pass"}
    stat(result, "response_press_conferences_leaders", "市本级")["value"] = 33
    assert len(results(result, check="legacy_leader_press_within_parent", status="fail")) == 1


def test_city_cells_within_region_cells(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    assert [r["status"] for r in results(result, check="city_within_region")] == ["pass"]
    stat(result, "meetings", "市本级")["value"] = 56  # region prints 55
    failed = results(result, check="city_within_region", status="fail")
    assert len(failed) == 1 and failed[0]["severity"] == "warning" and "召开政府信息公开工作会议" in failed[0]["message"]


STD_SUMS = {"std_requests_row_total": ("req_granted", "自然人"), "std_requests_balance": ("req_received", "自然人"),
            "std_requests_outcomes": ("req_granted", "自然人"), "std_review_litigation_total": ("review", "结果维持")}


@pytest.mark.parametrize("check", STD_SUMS)
def test_standard_table_identities_hold_on_shuyang_and_fail_when_a_cell_changes(doc, parsed, check):
    result, _ = parsed(doc, "shuyang-county-2025.md")
    assert {r["status"] for r in results(result, check=check)} == {"pass"}
    indicator, column = STD_SUMS[check]
    stat(result, indicator, column=column)["value"] += 1
    failed = results(result, check=check, status="fail")
    assert len(failed) == 1 and failed[0]["responsibility"] == "source"  # a markdown grid: the report's own numbers


def test_a_broken_identity_in_a_collapsed_reading_blames_the_extraction(doc, parsed):
    result, _ = parsed(doc, "pingtan-2023.txt")
    assert {r["status"] for r in results(result, check="std_requests_balance")} == {"pass"}
    stat(result, "req_received", column="自然人")["value"] = 81
    failed = results(result, check="std_requests_balance", status="fail")
    assert [(r["responsibility"], r["severity"]) for r in failed] == [("extraction", "error")]


def test_blank_totals_of_the_shanghai_2019_table_are_not_assessed(doc, parsed):
    result, _ = parsed(doc, "shanghai-office-2019.html")
    rows = {r["message"].split("] ")[0] + "]": r for r in results(result, check="std_requests_row_total")}
    granted = rows["[予以公开]"]
    assert (granted["status"], granted["expected"], granted["actual"]) == ("not_assessable", 272, None)
    assert granted["message"].endswith("「其他」 1: a blank 「总计」 is not a 0, not assessed")
    assert rows["[总计]"]["status"] == "pass"  # 805 = 767 + 35 + 2 + 1, blank 科研机构 and 社会公益组织 as 0
    outcomes = [r for r in results(result, check="std_requests_outcomes") if r["message"].startswith("[总计]")]
    assert [(r["status"], r["expected"], r["actual"]) for r in outcomes] == [("not_assessable", None, 805)]


def test_blank_cells_of_shanghai_2019_count_as_zero_and_the_message_says_which(doc, parsed):
    result, _ = parsed(doc, "shanghai-office-2019.html")
    identities = [r for r in results(result) if r["check"].startswith("std_")]
    assert [r["status"] for r in identities].count("not_assessable") == 13  # 12 blank 总计 rows + （七）总计 [总计]
    assert "fail" not in {r["status"] for r in identities}
    research = next(r for r in results(result, check="std_requests_balance") if r["message"].startswith("[科研机构]"))
    assert (research["status"], research["expected"], research["actual"]) == ("pass", 0, 0)
    after_review = next(r for r in results(result, check="std_review_litigation_total")
                        if r["message"].startswith("[复议后起诉]"))
    assert after_review["status"] == "pass" and after_review["message"] == (
        "[复议后起诉] 「总计」 blank = 「结果维持」 blank + 「结果纠正」 blank + 「其他结果」 blank + 「尚未审结」 blank = 0; "
        "blank 「总计」, 「结果维持」, 「结果纠正」, 「其他结果」, 「尚未审结」 taken as 0")
    next(r for r in result.statistics if r["table"] == "review_litigation" and r["indicator"] == "litigation_after_review"
         and r["column"] == "总计")["value"] = 1.0
    failed = results(result, check="std_review_litigation_total", status="fail")
    assert [(r["expected"], r["actual"], r["severity"], r["responsibility"]) for r in failed] == [(0, 1, "error", "source")]


def test_narrative_counts_agree_with_the_table_on_other_bases_and_split_litigation(doc, parsed):
    result, _ = parsed(doc, "pingtan-2023.txt")
    rows = results(result, check="narrative_vs_table")
    assert rows and {r["status"] for r in rows} == {"pass"}
    litigation = next(r for r in result.application_outcomes if r["source"] == "narrative" and r["stage"] == "litigation")
    litigation["count"] = 8  # table: 未经复议直接起诉 5 + 复议后起诉 2
    failed = results(result, check="narrative_vs_table", status="fail")
    assert [(f["expected"], f["actual"]) for f in failed] == [(7, 8)]
    shuyang, _ = parsed(doc, "shuyang-county-2025.md")  # 受理749 = 新收713 + 结转36
    assert {r["status"] for r in results(shuyang, check="narrative_vs_table")} == {"pass"}


def test_a_lower_bound_in_the_narrative_is_not_an_equality():
    table = {"source": "table", "scope": None, "stage": "request", "applicant": "all", "measure": "received",
             "outcome_group": "intake", "count": 2104.0, "label": "收到申请数", "source_line": 40}
    stated = {**table, "source": "narrative", "count": 2100.0, "label": "收到申请", "qualifier": "at_least",
              "source_line": 12}
    result = type("R", (), {"report": {"report_id": "x", "template": "legacy", "layout": "pipe"}, "statistics": [],
                            "application_outcomes": [table, stated]})()
    assert [r["status"] for r in checks.run_report(result) if r["check"] == "narrative_vs_table"] == ["pass"]
    table["count"] = 2099.0
    assert [r["status"] for r in checks.run_report(result) if r["check"] == "narrative_vs_table"] == ["fail"]


def test_seed_percentages_of_88_replies(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    failed = results(result, check="narrative_share", status="fail")
    assert sorted(r["actual"] for r in failed) == [20.2, 21.7, 28.5] and {r["source_line"] for r in failed} == {184}
    passed = results(result, check="narrative_share", status="pass")
    assert {r["actual"] for r in passed} >= {51, 39, 10, 23.9, 2.3, 3.4}
    forced = {r["source_line"]: r["status"] for r in results(result, check="narrative_shares_forced_to_100")}
    assert forced == {180: "pass", 184: "fail"}


def test_truncated_share_is_a_warning_and_other_bases_are_tried():
    assert checks.share_verdict(35, 4.34, [(805, "answered")])[0] == "truncated"
    assert checks.share_verdict(35, 4.35, [(805, "answered")])[0] == "pass"
    assert checks.share_verdict(319, 26.78, [(1295, "received"), (1191, "closed")]) == ("pass", (1191, "closed"))
    assert checks.share_verdict(258, 33.9, [(805, "answered"), (859, "received")])[0] == "fail"


def test_shanghai_2019_truncated_share_row(doc, parsed):
    result, _ = parsed(doc, "shanghai-office-2019.html")
    rows = results(result, check="narrative_share_truncated")
    assert [(r["status"], r["severity"], r["actual"]) for r in rows] == [("fail", "warning", 4.34)]


def test_narrative_document_count_against_table_two(doc, parsed):
    result, document = parsed(doc, "pingtan-2023.txt")
    rows = {r["actual"]: r for r in results(result, document, check="narrative_documents_vs_table")}
    assert rows[77]["status"] == "pass"  # 本年度制发的规范性文件77件
    assert (rows[393]["status"], rows[393]["expected"], rows[393]["source_line"]) == ("fail", 470, 10)
    assert not results(result, check="narrative_documents_vs_table")  # needs the document


def test_narrative_outcome_groups_against_table_three(doc, parsed):
    result, document = parsed(doc, "shanghai-office-2019.html")
    failed = {(r["expected"], r["actual"]) for r in results(result, document, check="narrative_groups_vs_table",
                                                            status="fail")}
    assert failed == {(275, 258), (337, 265), (805, 716)}
    good, good_doc = parsed(doc, "shanghai-office-2025.md")  # 208 + 20 + 564 + 80 + 319 = 1191
    rows = results(good, good_doc, check="narrative_groups_vs_table")
    assert len(rows) == 6 and {r["status"] for r in rows} == {"pass"}


SHUYANG_DONE = "共办理 718 件，"


def shuyang_stating(raw_dir, outcomes: str):
    """shuyang-county-2025 with an outcome sentence added after its 共办理 718 件 (its table: 予以公开 294, 部分公开
    101, 不予公开 32, 无法提供 113, 不予处理 19, 其他处理 159)."""
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    assert SHUYANG_DONE in text
    result = parse_bytes(text.replace(SHUYANG_DONE, SHUYANG_DONE + outcomes, 1).encode(), "shuyang-county-2025.md")
    return [r for r in result.validation_results if r["check"] == "narrative_groups_vs_table"]


def test_groups_stated_one_by_one_add_up_to_the_processed_total(raw_dir):
    rows = shuyang_stating(raw_dir, "其中予以公开294件，占40.9%；部分公开101件；不予公开32件（其中属于三类内部事务信息13件）；"
                           "无法提供113件；不予处理19件；其他处理159件。")
    assert {r["status"] for r in rows} == {"pass"}
    assert sorted(r["actual"] for r in rows) == [19, 32, 101, 113, 159, 294, 718]
    total = next(r for r in rows if r["expected"] == 718)
    assert total["message"] == ("narrative 予以公开 294 + 部分公开 101 + 不予公开 32 + 无法提供 113 + 不予处理 19 + "
                                "其他处理 159 = 718 = table （七）总计 718")


def test_a_partial_list_of_groups_is_compared_group_by_group_never_with_the_total(raw_dir):
    rows = shuyang_stating(raw_dir, "其中予以公开290件，占40.4%；不予公开33件；无法提供113件。")
    assert [(r["status"], r["expected"], r["actual"]) for r in rows] == [
        ("fail", 294, 290), ("fail", 32, 33), ("pass", 113, 113)]
    assert rows[0]["message"] == "narrative 「予以公开290件,占40.4%」 ≠ table 予以公开 = 294"
    assert (rows[0]["severity"], rows[0]["responsibility"]) == ("error", "source")


def test_a_combined_group_next_to_its_parts_is_not_added_twice(raw_dir):
    rows = shuyang_stating(raw_dir, "其中予以公开及部分公开395件（予以公开294件、部分公开101件）；不予公开32件；无法提供113件；"
                           "不予处理19件；其他处理159件。")
    assert {r["status"] for r in rows} == {"pass"} and 718 not in {r["expected"] for r in rows}
    assert sorted(r["actual"] for r in rows) == [19, 32, 101, 113, 159, 294, 395]


def test_a_summary_printed_twice_is_added_once(raw_dir):
    summary = "其中予以公开294件；部分公开101件；不予公开32件；无法提供113件；不予处理19件；其他处理150件。"
    rows = shuyang_stating(raw_dir, summary + summary)
    assert [(r["status"], r["expected"], r["actual"]) for r in rows if r["status"] == "fail"] == [
        ("fail", 159, 150), ("fail", 718, 709)]


def shuyang_printing(raw_dir, printed: str, instead: str):
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    assert printed in text
    result = parse_bytes(text.replace(printed, instead, 1).encode(), "shuyang-county-2025.md")
    return [r for r in result.validation_results if r["check"] == "cells_whole_non_negative"]


def test_every_cell_of_shuyang_is_whole_and_not_negative_but_its_fee_in_wan_yuan_may_be_decimal(doc, parsed):
    result, _ = parsed(doc, "shuyang-county-2025.md")
    assert stat(result, "administrative_fees")["value"] == 4068.208
    rows = results(result, check="cells_whole_non_negative")
    assert [(r["status"], r["message"]) for r in rows] == [
        ("pass", "all 200 printed cells are whole numbers ≥ 0, or signed or decimal where their column allows it")]


def test_a_negative_count_cell_fails_naming_its_row_column_and_line(raw_dir):
    rows = shuyang_printing(raw_dir, "| 行政许可 | 517645 |", "| 行政许可 | -517645 |")
    assert [(r["status"], r["severity"], r["responsibility"], r["expected"], r["actual"], r["source_line"])
            for r in rows] == [("fail", "error", "source", 0, -517645, 64)]
    assert rows[0]["message"] == "「行政许可」 「本年处理决定数量」 prints -517645: negative in an unsigned column"


def test_a_fractional_count_cell_fails(raw_dir):
    rows = shuyang_printing(raw_dir, "| 行政规范性文件 | 6 | 1 | 32 |", "| 行政规范性文件 | 6.5 | 1 | 32 |")
    assert [(r["status"], r["expected"], r["actual"], r["source_line"]) for r in rows] == [("fail", 6, 6.5, 59)]
    assert rows[0]["message"] == "「行政规范性文件」 「本年制发件数」 prints 6.5: a fraction of 件"


def test_the_signed_change_column_of_2019_may_be_negative_but_not_fractional(doc, parsed):
    result, _ = parsed(doc, "shanghai-office-2019.html")
    stat(result, "administrative_licensing", column="本年增/减")["value"] = -3.0
    assert [r["status"] for r in results(result, check="cells_whole_non_negative")] == ["pass"]
    stat(result, "administrative_penalties", column="本年增/减")["value"] = -1.5
    failed = results(result, check="cells_whole_non_negative", status="fail")
    assert [f["message"].split(": ")[-1] for f in failed] == ["a fraction of 项"]


def test_legacy_funds_in_wan_yuan_may_be_decimal_but_people_are_whole(doc, parsed):
    result, _ = parsed(doc, "zhucheng-2017.txt")
    stat(result, "special_funds", "市本级")["value"] = 2.5
    assert [r["status"] for r in results(result, check="cells_whole_non_negative")] == ["pass"]
    stat(result, "trainees", "本行政区域").update(value=860.5, value_raw="860.5")
    failed = results(result, check="cells_whole_non_negative", status="fail")
    assert [(f["scope"], f["source_line"], f["message"]) for f in failed] == [
        ("本行政区域", 972, "[本行政区域] 「(三)接受培训人员数」 prints 860.5: a fraction of 人次")]


def _year(year, carried_over, carried_forward, in_force, made, repealed):
    report = {"report_id": f"body-{year}", "jurisdiction": "某某区人民政府", "report_year": year, "layout": "pipe",
              "title": f"某某区人民政府{year}年政府信息公开工作年度报告", "template": "std2021"}
    cells = [("requests", "req_carried_over", "上年结转政府信息公开申请数量", "总计", carried_over),
             ("requests", "req_carried_forward", "结转下年度继续办理", "总计", carried_forward),
             ("active_disclosure", "normative_documents", "行政规范性文件", "现行有效件数", in_force),
             ("active_disclosure", "normative_documents", "行政规范性文件", "本年制发件数", made),
             ("active_disclosure", "normative_documents", "行政规范性文件", "本年废止件数", repealed)]
    stats = [{"report_id": report["report_id"], "table": t, "scope": None, "indicator": i, "label": label,
              "column": c, "value": v, "source_line": 30} for t, i, label, c, v in cells]
    return report, stats


def test_across_years_of_one_body():
    r22, s22 = _year(2022, 4, 6, 400, 10, 2)
    r23, s23 = _year(2023, 6, 3, 470, 77, 7)
    rows = {r["check"]: r for r in checks.run_across([r22, r23], s22 + s23)}
    assert rows["carried_forward_next_year"]["status"] == "pass"
    assert rows["in_force_next_year"]["status"] == "pass"  # 400 + 77 − 7 = 470
    r23b, s23b = _year(2023, 5, 3, 393, 77, 7)
    rows = {r["check"]: r for r in checks.run_across([r22, r23b], s22 + s23b)}
    assert (rows["carried_forward_next_year"]["status"], rows["in_force_next_year"]["severity"]) == ("fail", "warning")
    assert rows["in_force_next_year"]["status"] == "fail" and rows["in_force_next_year"]["expected"] == 470
    other, s_other = _year(2023, 6, 3, 470, 77, 7)
    other["jurisdiction"] = "另一区人民政府"
    assert checks.run_across([r22, other], s22 + s_other) == []


def _write_results(tmp_path, rows):
    frame = pd.DataFrame(rows)
    frame.to_parquet(tmp_path / "validation_results.parquet", index=False)
    return tmp_path


def _vrow(check, responsibility, status="fail"):
    return {"report_id": "zhucheng-2017", "scope": "市本级", "check": check, "status": status, "severity": "error",
            "responsibility": responsibility, "expected": 87.0, "actual": 71.0,
            "message": "「十、设置政府信息查阅点数」 71 ≠ 「(二)设置政府信息公开查阅点数」 87", "source_line": 516}


def test_validate_prints_failures_by_check_and_strict_fails_only_on_extraction_errors(tmp_path):
    out = _write_results(tmp_path, [_vrow("legacy_reading_points_same_concept", "source"),
                                    _vrow("std_requests_balance", "source", "pass")])
    runner = CliRunner()
    res = runner.invoke(main, ["validate", "--out", str(out), "--strict"])
    assert res.exit_code == 0, res.output
    assert "legacy_reading_points_same_concept (error, source)" in res.output and "L516" in res.output
    _write_results(tmp_path, [_vrow("std_requests_balance", "extraction")])
    res = runner.invoke(main, ["validate", "--out", str(out), "--strict"])
    assert res.exit_code == 1 and "std_requests_balance" in res.output
    assert runner.invoke(main, ["validate", "--out", str(out)]).exit_code == 0


def test_validate_without_a_build_says_what_to_do(tmp_path):
    res = CliRunner().invoke(main, ["validate", "--out", str(tmp_path)])
    assert res.exit_code != 0 and "ogi build" in res.output


# ---------------------------------------------------------------- prose facts of the legacy tables (formats.md §6)

def fact_rows(result, doc, check):
    from pipeline import narrative
    rows = checks.run_report(result, doc, narrative.walk(doc, result.report["report_year"]))
    return [(r["status"], r["scope"], r["expected"], r["actual"], r["source_line"]) for r in rows if r["check"] == check]


def test_seed_prose_facts_that_overstate_the_table_are_source_warnings(doc, parsed):
    result, document = parsed(doc, "zhucheng-2017.txt")
    rows = [r for r in checks.run_report(result, document) if r["check"] == "narrative_facts_vs_table"]
    failed = {r["source_line"]: r for r in rows if r["status"] == "fail"}
    assert {line: (r["scope"], r["expected"], r["actual"]) for line, r in failed.items()} == {
        154: ("本行政区域", 2100, 2100),  # 2100余个 claims more than the 2100 printed
        164: ("本行政区域", 9911, 10000),  # 1万余条 vs 政务微博 3108 + 政务微信 6803
        166: ("市本级", 3200, 3200),  # 3200余人次 vs 十一(一) 3200
    }
    assert all((r["severity"], r["responsibility"]) == ("warning", "source") for r in rows)
    assert "(2100余个: more than 2100)" in failed[154]["message"] and "」 2100" in failed[154]["message"]
    assert "「3.政务微博公开政府信息数」 3108 + 「4.政务微信公开政府信息数」 6803 = 9911" in failed[164]["message"]
    units = {r["source_line"]: r["message"] for r in checks.run_report(result, document)
             if r["check"] == "narrative_fact_unit"}
    assert sorted(units) == [154, 166]
    assert "counts 个" in units[154] and "counts 次" in units[154]
    assert "counts 人次" in units[166] and "counts 人:" in units[166]


def test_seed_prose_facts_that_match_pass_and_whole_city_statements_bind_to_the_region(doc, parsed):
    result, document = parsed(doc, "zhucheng-2017.txt")
    passed = {(r["source_line"], r["actual"]): r["scope"] for r in checks.run_report(result, document)
              if r["check"] == "narrative_facts_vs_table" and r["status"] == "pass"}
    # 全市…培训班12次、培训工作人员860人次 agree with 本行政区域 十三 (市本级 prints 8 and 650); 公报 4期/4000份 = 九
    assert passed == {(34, 12): "本行政区域", (34, 860): "本行政区域", (46, 27519): "本行政区域", (150, 32): "市本级",
                      (172, 4): "市本级", (172, 4000): "市本级"}


def test_a_statement_within_its_qualifier_agrees(doc, parsed):
    result, document = parsed(doc, "zhucheng-2017.txt")
    for row in result.statistics:
        if row["indicator"] == "response_hotspots" and row["scope"] == "本行政区域":
            row["value"] = 2135.0  # 2100余个 now holds
        if row["indicator"] == "active_via_wechat":
            row["value"] += 200  # 3108 + 7003 = 10111 > 1万
    rows = {r["source_line"]: r for r in checks.run_report(result, document)
            if r["check"] == "narrative_facts_vs_table"}
    assert (rows[154]["status"], rows[154]["expected"], rows[154]["scope"]) == ("pass", 2135, "本行政区域")
    assert (rows[164]["status"], rows[164]["expected"]) == ("pass", 10111)


def test_qualifier_bounds():
    from pipeline.numbers import find_quantities
    from pipeline.stated_facts import claims
    more, at_least, near, about = (find_quantities(t)[0] for t in ("2100余个", "10次以上", "近100人", "约60人"))
    assert not claims(more, 2100) and claims(more, 2101)
    assert claims(at_least, 10) and not claims(at_least, 9)
    assert claims(near, 99) and not claims(near, 100)
    assert claims(about, 62) and not claims(about, 70)


def test_the_malformed_93_duo_is_flagged_and_kept_as_93(doc, parsed):
    result, document = parsed(doc, "zhucheng-2017.txt")
    assert fact_rows(result, document, "narrative_malformed_qualifier") == [("fail", None, 93, 93, 164)]


def test_prose_facts_and_narrative_rows_tell_plans_by_one_rule(raw_dir):
    # An aim (力争) rules its own clause, as for key-domain counts: 培训班12次 stays a fact, 860人次 becomes a target
    raw = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8")
    stated = "全市政府系统共举办政府信息公开各类培训班12次、培训工作人员860人次"
    assert stated in raw
    aimed = raw.replace(stated, "全市政府系统共举办政府信息公开各类培训班12次,力争培训工作人员860人次")
    result = parse_bytes(aimed.encode("utf-8"), "zhucheng-2017.txt")
    passed = {(r["source_line"], r["actual"]) for r in result.validation_results
              if r["check"] == "narrative_facts_vs_table" and r["status"] == "pass"}
    assert (34, 12) in passed and (34, 860) not in passed
