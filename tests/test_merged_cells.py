"""Merged cells printed as empty fields (spreadsheet export: TSV, markdown, pipes) read like the plain copy."""
import re
from types import SimpleNamespace

import pytest

from pipeline.layouts.model import row_from_cells
from pipeline.read import Line
from pipeline.templates import std

LABEL_COLUMNS = 3  # the label area of 表三: 一、 / （一） / 1. each in its own column
_NUMBER = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?\s*(?:元|万元)?$")
_LEVELS = [(re.compile(r"^[一二三四五六七八九十]+、"), 0), (re.compile(r"^[(（][一二三四五六七八九十]+[)）]"), 1),
           (re.compile(r"^\d+\s*[.、．]"), 2)]

REPORTS = [("shuyang-county-2025.md", "std2021"), ("shanghai-office-2019.html", "std2019")]


def printed_cells(text: str, outer_bars: bool) -> list[str] | None:
    """The cells of a `a | b | c` or `| a | b |` line as printed; None for any other line.

    An HTML table row reads as `a | b | ` (a blank last cell), a markdown row as `| a | b |`.
    """
    if text.count("|") < 1 or set(text.replace("|", "").strip()) <= set("-: "):
        return None
    cells = [c.strip() for c in text.split("|")]
    if not outer_bars:
        return cells
    if text.strip().startswith("|"):
        cells = cells[1:]
    if text.strip().endswith("|") and len(cells) > 1:
        cells = cells[:-1]
    return cells


def level(label: str) -> int:
    return next((lvl for pattern, lvl in _LEVELS if pattern.match(label)), 0)


def on_grid(cells: list[str]) -> list[str]:
    """A printed row as a spreadsheet export prints it: its labels in their columns of the label area, the other
    label columns (a merged label printed on an earlier row, or a label spanning columns) left as empty fields."""
    if not any(_NUMBER.match(c) for c in cells):
        return [""] * LABEL_COLUMNS + cells  # a header: its names stand over the value columns
    n_labels = next(i for i, c in enumerate(cells) if _NUMBER.match(c) or not c)
    if n_labels == 0:
        return cells  # a row of values only (表四)
    area = [""] * LABEL_COLUMNS
    for label in cells[:n_labels]:
        free = [k for k in range(level(label), LABEL_COLUMNS) if not area[k]] or [LABEL_COLUMNS - 1]
        area[free[0]] = (area[free[0]] + label) if area[free[0]] else label
    return area + cells[n_labels:]


def spreadsheet_copy(doc, sep: str) -> str:
    """The report with every table row laid on the grid; sep is '\\t', 'markdown' (`| a | b |`) or 'pipes' (`a | b |`)."""
    out = []
    for line in doc.lines:
        cells = printed_cells(line.text, not doc.is_html)
        if cells is None:
            out.append(line.text.replace("\t", " "))
            continue
        row = on_grid(cells)
        if sep == "markdown":
            out.append("| " + " | ".join(row) + " |")
        else:  # pipes close a row with '|', so that a blank last cell is printed: `a | b |  |`
            out.append(sep.join(row) if sep == "\t" else " | ".join(row) + " |")
    return "\n".join(out)


def parse_copy(text: str, template: str):
    lines = [Line(i, t) for i, t in enumerate(text.split("\n"), 1)]
    return std.parse_tables(SimpleNamespace(lines=lines, is_html=False), template)


def cell_set(result) -> set[tuple]:
    return {(r["table"], r["indicator"], r["column"], r["value"]) for r in result.rows}


@pytest.mark.parametrize("name,template", REPORTS)
@pytest.mark.parametrize("sep,layout", [("\t", "tsv"), ("markdown", None), ("pipes", None)])
def test_spreadsheet_copy_reads_the_same_cells_as_the_plain_copy(doc, name, template, sep, layout):
    plain = std.parse_tables(doc(name), template)
    copy = parse_copy(spreadsheet_copy(doc(name), sep), template)
    assert len(plain.rows) >= 198 and not plain.problems
    assert copy.problems == []
    assert cell_set(copy) == cell_set(plain)
    if layout:
        assert copy.layout == layout


def test_the_grid_really_prints_merged_label_fillers(doc):
    text = spreadsheet_copy(doc("shuyang-county-2025.md"), "\t")
    assert "\t\t1. 属于国家秘密\t0\t0\t0\t0\t0\t0\t0" in text
    text = spreadsheet_copy(doc("shanghai-office-2019.html"), "\t")
    assert "\t(三)不予公开\t1.属于国家秘密\t14\t\t\t\t\t\t" in text
    assert "\t\t2.其他法律行政法规禁止公开\t\t\t\t\t\t\t" in text


def test_shuyang_requests_table_with_merged_group_labels():
    """The audit's spreadsheet grid of shuyang 表三: rowspan group labels and colspan labels as empty fields."""
    grid = "\n".join([
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况\t\t\t\t\t\t",
        "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
        "一、本年新收政府信息公开申请数量\t\t\t705\t3\t0\t0\t5\t0\t713",
        "三、本年度办理结果\t（一）予以公开\t\t290\t1\t0\t0\t3\t0\t294",
        "\t（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0",
        "\t\t2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0",
        "\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t9\t0\t0\t0\t0\t0\t9",
        "\t\t3.其他\t142\t1\t0\t0\t0\t0\t143",
        "\t（七）总计\t\t710\t3\t0\t0\t5\t0\t718",
    ])
    result = parse_copy(grid, "std2021")
    assert result.layout == "tsv" and result.problems == []
    values = {(r["indicator"], r["column"]): r["value"] for r in result.rows}
    assert values[("req_received", "总计")] == 713
    assert values[("req_granted", "自然人")] == 290
    assert values[("req_denied_state_secret", "总计")] == 0
    assert values[("req_other_other", "自然人")] == 142 and values[("req_other_other", "商业企业")] == 1
    assert values[("req_processed_total", "总计")] == 718


def test_a_printed_label_with_blank_value_cells_keeps_them_blank():
    row = row_from_cells(["行政许可", "", ""], 1)
    assert (row.labels, row.cells) == (("行政许可",), ("", ""))
    result = parse_copy("第二十条第（一）项\t\t\t\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n"
                        "第二十条第（五）项\t\t\t\n信息内容\t本年处理决定数量\t\t\n行政许可\t\t\t\n"
                        "本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1", "std2021")
    licensing = [r for r in result.rows if r["indicator"] == "administrative_licensing"]
    assert [(r["value"], r["value_raw"]) for r in licensing] == [(None, "")]


def test_a_merged_label_row_with_blank_values_keeps_them_blank():
    row = row_from_cells(["", "", "2.其他法律行政法规禁止公开", "", "", ""], 1)
    assert (row.labels, row.cells) == (("2.其他法律行政法规禁止公开",), ("", "", ""))


def test_empty_fields_before_no_label_are_blank_values_and_a_row_of_blanks_is_no_row():
    row = row_from_cells(["", "", "3", "1"], 1)
    assert (row.labels, row.cells) == ((), ("", "", "3", "1"))
    assert row_from_cells(["", "", "", ""], 1) is None


def test_tables_two_and_four_with_merged_label_columns():
    """表二 with its 第二十条 caption merged down a left column, 表四 with its headers spanning columns."""
    grid = "\n".join([
        "第二十条第（一）项\t信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "\t规章\t0\t0\t0",
        "\t行政规范性文件\t6\t1\t32",
        "第二十条第（六）项\t信息内容\t本年处理决定数量\t\t",
        "\t行政处罚\t693957\t\t",
        "\t行政强制\t\t\t",
        "本年新收政府信息公开申请数量\t705\t3\t0\t0\t5\t0\t713",
        "四、政府信息公开行政复议、行政诉讼情况",
        "\t行政复议\t\t\t\t\t行政诉讼\t\t\t\t\t\t\t\t\t",
        "\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
        "\t\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "数量\t27\t10\t9\t15\t61\t3\t0\t0\t0\t3\t8\t0\t1\t1\t10",
    ])
    result = parse_copy(grid, "std2021")
    assert result.problems == []
    values = {(r["indicator"], r["column"]): r["value"] for r in result.rows}
    assert values[("normative_documents", "现行有效件数")] == 32
    assert values[("administrative_penalties", "本年处理决定数量")] == 693957
    assert values[("administrative_enforcement", "本年处理决定数量")] is None  # printed blank under a merged caption
    assert values[("review", "总计")] == 61 and values[("litigation_after_review", "总计")] == 10
