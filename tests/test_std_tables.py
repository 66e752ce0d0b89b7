"""Standard-template tables 二/三/四 from every layout: real rows of the shipped reports and realistic copies."""
from types import SimpleNamespace

import pytest

from pipeline.layouts import collapsed, detect, pdf_text, pipe
from pipeline.read import Line
from pipeline.templates import std


def lines_of(text: str) -> list[Line]:
    return [Line(i, t) for i, t in enumerate(text.split("\n"), 1)]


def parse_text(text: str, template: str = "std2021", is_html: bool = False):
    return std.parse_tables(SimpleNamespace(lines=lines_of(text), is_html=is_html), template)


def cells(result, label: str, table: str | None = None) -> dict:
    return {r["column"]: r["value"] for r in result.rows
            if r["label"] == label and (table is None or r["table"] == table)}


def cell(result, indicator: str, column: str):
    [row] = [r for r in result.rows if r["indicator"] == indicator and r["column"] == column]
    return row


# ---------------------------------------------------------------- the shipped reports, one per layout

def test_html_blank_cells_are_none_and_values_go_by_ordinal_position(doc):
    result = std.parse_tables(doc("shanghai-office-2019.html"), "std2019")
    assert result.layout == "html" and not result.problems
    assert cells(result, "本年新收政府信息公开申请数量") == {
        "自然人": 821, "商业企业": 35, "科研机构": None, "社会公益组织": None, "法律服务机构": 2, "其他": 1, "总计": 859}
    assert cells(result, "予以公开")["总计"] is None  # printed blank: not 0
    assert cells(result, "行政复议") == {"结果维持": 5, "结果纠正": None, "其他结果": None, "尚未审结": 2, "总计": 7}
    amount = cell(result, "centralized_procurement", "采购总金额")
    assert (amount["value"], amount["unit"], amount["value_raw"]) == (251000, "元", "251000元")


def test_std2019_table_two_keeps_its_own_columns_and_rows(doc):
    result = std.parse_tables(doc("shanghai-office-2019.html"), "std2019")
    assert cells(result, "规范性文件") == {"本年新制作数量": 60, "本年新公开数量": 60, "对外公开总数量": 368}
    assert cells(result, "其他对外管理服务事项") == {"上一年项目数量": 0, "本年增/减": 0, "处理决定数量": 0}
    assert cells(result, "行政事业性收费") == {"上一年项目数量": 0, "本年增/减": 0}
    assert cell(result, "req_other_processing", "总计")["row_path"] == "三.三.(六)"
    assert len([r for r in result.rows if r["table"] == "requests"]) == 23 * 7


def test_std2021_table_two_and_its_decimal_fee(doc):
    result = std.parse_tables(doc("pingtan-2023.txt"), "std2021")
    assert cells(result, "行政规范性文件") == {"本年制发件数": 77, "本年废止件数": 132, "现行有效件数": 470}
    fee = cell(result, "administrative_fees", "本年收费金额（单位：万元）")
    assert (fee["value"], fee["unit"]) == (5949.088667, "万元")
    assert not any(r["indicator"] in ("other_management_services", "centralized_procurement") for r in result.rows)
    assert len([r for r in result.rows if r["table"] == "requests"]) == 25 * 7


def test_markdown_blocks_with_generic_and_wrong_headers(doc):
    result = std.parse_tables(doc("shuyang-county-2025.md"), "std2021")
    assert result.layout == "markdown" and not result.problems
    # under the wrong header '| 项目 | 本年新收件数 | 上年结转件数 | …'
    assert cells(result, "其他") == {"自然人": 142, "商业企业": 1, "科研机构": 0, "社会公益组织": 0,
                                     "法律服务机构": 0, "其他": 0, "总计": 143}
    assert cells(result, "总计", "requests")["总计"] == 718
    assert cells(result, "未经复议直接起诉") == {"结果维持": 3, "结果纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": 3}


def test_collapsed_runs_split_by_row_totals_and_table_identities(doc):
    result = std.parse_tables(doc("pingtan-2023.txt"), "std2021")
    assert result.layout == "collapsed" and not result.problems
    assert cells(result, "本机关不掌握相关政府信息")["自然人"] == 31
    # '220000022' is also 2|20|0|0|0|0|22; 商业企业 20 > （七）总计 1 rules it out
    assert cells(result, "予以公开")["自然人"] == 22
    assert [r["value"] for r in result.rows if r["table"] == "review_litigation"] == [
        1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2]


def test_pdf_text_fused_groups_wrapped_labels_and_lost_cells(doc):
    result = std.parse_tables(doc("shanghai-office-2025.md"), "std2021")
    assert result.layout == "pdf_text"
    assert cells(result, "保护第三方合法权益")["总计"] == 0          # '| （三）不 | 4.保护第三方合法权益 | …'
    assert cells(result, "部分公开(区分处理的,只计这一情形,不计其他情形)")["自然人"] == 2  # label above its row
    assert cells(result, "要求行政机关确认或重新出具已获取信息")["总计"] == 0  # label-less row, placed by order
    assert cells(result, "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")["总计"] == 43
    assert cells(result, "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")["总计"] == 0
    assert cells(result, "规章") == {"本年制发件数": 22, "本年废止件数": None, "现行有效件数": 235}
    assert not any(r["value"] == 55 for r in result.rows if r["table"] == "active_disclosure")
    assert any("55" in p and "cannot be placed" in p for p in result.problems)
    assert cells(result, "复议后起诉")["总计"] == 22


def test_a_pdf_copy_that_lost_the_section_five_heading_ends_its_table_zone_at_the_first_sub_heading(doc):
    # shanghai-office-2025 prints no 五、 heading: its section opens at "（一）2024 年工作中存在问题的改进情况".
    report = doc("shanghai-office-2025.md")
    sub_heading = next(line.no for line in report.lines if line.text.startswith("(一)2024 年工作中存在问题"))
    zone = std.table_zone(report.lines)
    assert zone.lines[-1].no < sub_heading and "存在的主要问题" not in "".join(line.text for line in zone.lines)
    assert "2025 年工作中存在的主要问题" in zone.prose()


# ---------------------------------------------------------------- copies in the layouts the sample lacks

TABLE_TWO_ROWS = [
    ["第二十条第（一）项"],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "0"],
    ["行政规范性文件", "6", "1", "32"],
    ["第二十条第（五）项"],
    ["信息内容", "本年处理决定数量"],
    ["行政许可", "517645"],
    ["三、收到和处理政府信息公开申请情况"],
    ["一、本年新收政府信息公开申请数量", "705", "3", "0", "0", "5", "0", "713"],
    ["（三）不予公开", "1.属于国家秘密", "", "", "", "", "", "", ""],
    ["四、政府信息公开行政复议、行政诉讼情况"],
    ["27", "10", "9", "15", "61", "3", "0", "0", "0", "3", "8", "0", "1", "1", "10"],
]


def test_tab_separated_copy():
    result = parse_text("\n".join("\t".join(r) for r in TABLE_TWO_ROWS))
    assert result.layout == "tsv"
    assert cells(result, "行政规范性文件") == {"本年制发件数": 6, "本年废止件数": 1, "现行有效件数": 32}
    assert cells(result, "本年新收政府信息公开申请数量")["总计"] == 713
    assert set(cells(result, "属于国家秘密").values()) == {None}
    assert cells(result, "复议后起诉")["总计"] == 10


def test_one_cell_per_line_copy():
    text = "\n\n".join(c if c else "\u00a0" for r in TABLE_TWO_ROWS if r[0] != "（三）不予公开" for c in r)
    result = parse_text(text)
    assert result.layout == "cells_per_line"
    assert cells(result, "行政规范性文件") == {"本年制发件数": 6, "本年废止件数": 1, "现行有效件数": 32}
    assert cells(result, "行政许可") == {"本年处理决定数量": 517645}
    assert cells(result, "本年新收政府信息公开申请数量")["自然人"] == 705
    assert cells(result, "行政复议")["总计"] == 61


def test_collapsed_row_with_two_valid_splits_stays_empty_with_a_message():
    # No （七）总计 row to bound it: 2|20|0|0|0|0|22 and 22|0|0|0|0|0|22 both keep the row total.
    text = "第二十条第（一）项规章000三、收到和处理政府信息公开申请情况（一）予以公开220000022（二）部分公开0000000"
    result = parse_text(text)
    assert set(cells(result, "予以公开").values()) == {None}
    assert any("予以公开" in p and "2 splits" in p for p in result.problems)
    assert cells(result, "部分公开")["总计"] == 0


def test_prose_number_settles_a_collapsed_table_two_row():
    text = "第二十条第（一）项规章000行政规范性文件77132470第二十条第（五）项行政许可2629"
    assert set(cells(parse_text(text), "行政规范性文件").values()) == {None}
    prose = "本年度制发的规范性文件77件，现行有效行政规范性文件393件。\n"
    assert cells(parse_text(prose + text), "行政规范性文件")["现行有效件数"] == 470


# ---------------------------------------------------------------- readers

def test_collapsed_reader_gives_the_row_number_back_to_the_next_label():
    rows = collapsed.line_rows("1.属于国家秘密00000002.其他法律行政法规禁止公开0000000", 7)
    assert [(r.label, r.cells) for r in rows] == [
        ("1.属于国家秘密", ("0000000",)), ("2.其他法律行政法规禁止公开", ("0000000",))]


def test_pdf_reader_drops_footers_and_keeps_a_cell_note_with_its_number():
    rows = pdf_text.read_rows(lines_of("22\n（其中修订 16 件）\n— 4 —\n行政许可 0\n本\n| 2 | 0 | 0 |"))
    assert [(r.labels, r.cells) for r in rows] == [
        ((), ("22（其中修订 16 件）",)), (("行政许可",), ("0",)), ((), ("2", "0", "0"))]


@pytest.mark.parametrize("text, layout", [
    ("| 规章 | 0 | 0 | 0 |\n|---|---|---|---|\n| 行政许可 | 1 | 2 | 3 |\n| a | 1 | 2 | 3 |", "markdown"),
    ("规章 | 0 | 0 | 0\n行政许可 | 1 | 2 | 3\n行政处罚 | 1 | 2 | 3", "pipe"),
    ("规章 0 0 0\n行政许可 1\n行政处罚 1\n行政强制 2", "pdf_text"),
    ("规章000行政规范性文件77132470", "collapsed"),
])
def test_layout_detection(text, layout):
    assert detect.detect(lines_of(text), is_html=False) == layout


def test_pipe_separator_rows_are_not_data():
    assert pipe.is_separator("|---|---|") and not pipe.is_separator("| 0 | 0 |")


def test_collapsed_single_cell_rows_take_any_width():
    result = parse_text("第二十条第（一）项规章000第二十条第（五）项行政许可517645第二十条第（六）项行政处罚693957行政强制2154")
    assert cells(result, "行政许可") == {"本年处理决定数量": 517645}
    assert cells(result, "行政处罚") == {"本年处理决定数量": 693957}


def test_a_count_printed_with_thousands_separators_is_a_value(doc):
    # 行政许可 | 517,645: the comma groups thousands; the cell is not a second label.
    from pipeline.read import read_document

    plain = doc("shuyang-county-2025.md")
    text = "\n".join(line.text for line in plain.lines).replace("| 517645 |", "| 517,645 |")
    assert "| 517,645 |" in text
    grouped = read_document(text.encode(), "s.md")
    assert cells(std.parse_tables(grouped, "std2021"), "行政许可") == {"本年处理决定数量": 517645}


def test_a_markdown_table_pasted_into_a_page_keeps_its_rule_lines_out_of_the_table(raw_dir):
    """Each markdown line in its own <p>: the '|---|---|' rule under each 表四 header is no row, so no block's
    values slide onto the next block's row."""
    from pipeline.parse import parse_bytes

    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    page = "<html><body>\n" + "\n".join(f"<p>{line}</p>" for line in text.splitlines()) + "\n</body></html>"
    plain, pasted = parse_bytes(text.encode(), "shuyang.md"), parse_bytes(page.encode(), "shuyang.html")
    assert pasted.report["layout"] == "html"
    table_four = [(r["indicator"], r["column"], r["value"]) for r in plain.statistics if r["table"] == "review_litigation"]
    assert len(table_four) == 15 and ("litigation_direct", "总计", 3.0) in table_four
    assert [(r["indicator"], r["column"], r["value"]) for r in pasted.statistics
            if r["table"] == "review_litigation"] == table_four
