"""Cells that are neither numbers nor placeholders, printed where a row's first values stand, are kept and reported."""
from pathlib import Path

import pytest

from pipeline import parse
from pipeline.layouts.model import row_from_stripped
from pipeline.layouts.pipe import pipe_cells
from pipeline.templates import std

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"

# Real rows of the shipped reports, as printed.
CARRIED_2025 = "| 二、上年结转政府信息公开申请数量 | 170 | 15 | 0 | 0 | 4 | 0 | 189 |"
CARRIED_LABEL = "二、上年结转政府信息公开申请数量"
REQUEST_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def parsed(name: str, old: str | None = None, new: str | None = None):
    text = (RAW / name).read_text(encoding="utf-8")
    if old is not None:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse.parse_bytes(text.encode("utf-8"), name)


def problems(result) -> str:
    return result.report["error"] or ""


def cells_of(result, table: str, indicator: str) -> list[dict]:
    return [r for r in result.statistics if r["table"] == table and r["indicator"] == indicator]


def others(result, table: str, indicator: str) -> list[dict]:
    return [r for r in result.statistics if (r["table"], r["indicator"]) != (table, indicator)]


def test_a_row_of_crosses_is_kept_empty_with_one_problem():
    plain = parsed("shanghai-office-2025.md")
    crossed = parsed("shanghai-office-2025.md", CARRIED_2025, f"| {CARRIED_LABEL} |" + " × |" * 7)
    kept = cells_of(crossed, "requests", "req_carried_over")
    assert [(c["column"], c["value"], c["value_raw"], c["source_line"]) for c in kept] == [
        (col, None, "×", 117) for col in REQUEST_COLUMNS]
    assert {c["label"] for c in kept} == {"上年结转政府信息公开申请数量"}
    assert others(crossed, "requests", "req_carried_over") == others(plain, "requests", "req_carried_over")
    assert len(crossed.statistics) == len(plain.statistics) == 200
    assert f"表三 row 「{CARRIED_LABEL}」: cells 「×」 are not numbers; left empty" in problems(crossed)
    assert problems(crossed).count(CARRIED_LABEL) == 1  # one problem for the row, none per cell


def test_one_odd_first_cell_keeps_the_row_numbers():
    crossed = parsed("shanghai-office-2025.md", CARRIED_2025, CARRIED_2025.replace("| 170 |", "| × |"))
    kept = {c["column"]: (c["value"], c["value_raw"]) for c in cells_of(crossed, "requests", "req_carried_over")}
    assert kept == {"自然人": (None, "×"), "商业企业": (15.0, "15"), "科研机构": (0.0, "0"), "社会公益组织": (0.0, "0"),
                    "法律服务机构": (4.0, "4"), "其他": (0.0, "0"), "总计": (189.0, "189")}
    assert f"表三 row 「{CARRIED_LABEL}」: cells 「×」 are not numbers; left empty" in problems(crossed)
    assert "prints 6 cells for 7 columns" not in problems(crossed)


def test_two_kinds_of_unreadable_text_are_named_once_each():
    crossed = parsed("shanghai-office-2025.md", CARRIED_2025,
                     f"| {CARRIED_LABEL} | 未统计 | 空白 | 未统计 | 0 | 4 | 0 | 189 |")
    raws = [c["value_raw"] for c in cells_of(crossed, "requests", "req_carried_over")]
    assert raws == ["未统计", "空白", "未统计", "0", "4", "0", "189"]
    assert f"表三 row 「{CARRIED_LABEL}」: cells 「未统计」、「空白」 are not numbers; left empty" in problems(crossed)


def test_a_row_whose_label_is_printed_in_two_cells():
    printed = "| 予公开 | 5.属于三类内部事务信息 | 8 | 0 | 0 | 0 | 1 | 0 | 9 |"
    crossed = parsed("shanghai-office-2025.md", printed, "| 予公开 | 5.属于三类内部事务信息 |" + " — / — |" * 7)
    kept = cells_of(crossed, "requests", "req_denied_internal_affairs")
    assert [(c["value"], c["value_raw"], c["source_line"]) for c in kept] == [(None, "— / —", 129)] * 7
    assert "表三 row 「予公开5.属于三类内部事务信息」: cells 「— / —」 are not numbers; left empty" in problems(crossed)


def test_review_row_with_an_odd_first_cell():
    printed = "| 40 | 0 | 10 | 5 | 55 | 2 | 0 | 4 | 6 | 12 | 6 | 0 | 9 | 7 | 22 |"
    plain = parsed("shanghai-office-2025.md")
    crossed = parsed("shanghai-office-2025.md", printed, printed.replace("| 40 |", "| × |"))
    review = [(c["column"], c["value"], c["value_raw"]) for c in cells_of(crossed, "review_litigation", "review")]
    assert review == [("结果维持", None, "×"), ("结果纠正", 0.0, "0"), ("其他结果", 10.0, "10"), ("尚未审结", 5.0, "5"),
                      ("总计", 55.0, "55")]
    assert others(crossed, "review_litigation", "review") == others(plain, "review_litigation", "review")
    assert "表四 row 「行政复议」: cells 「×」 are not numbers; left empty" in problems(crossed)
    assert "prints 14 cells" not in problems(crossed)


def test_html_row_with_crosses_and_blank_cells():
    text = (RAW / "shanghai-office-2019.html").read_text(encoding="utf-8")
    start = text.index("<p>二、上年结转政府信息公开申请数量</p>")
    end = text.index("</tr>", start)
    row = text[start:end]
    assert row.count("<p align=\"center\">18</p>") == 2
    crossed = parse.parse_bytes((text[:start] + row.replace(">18<", ">×<") + text[end:]).encode("utf-8"),
                                "shanghai-office-2019.html")
    plain = parsed("shanghai-office-2019.html")
    kept = [(c["column"], c["value"], c["value_raw"]) for c in cells_of(crossed, "requests", "req_carried_over")]
    assert kept == [("自然人", None, "×"), ("商业企业", None, ""), ("科研机构", None, ""), ("社会公益组织", None, ""),
                    ("法律服务机构", None, ""), ("其他", None, ""), ("总计", None, "×")]
    assert others(crossed, "requests", "req_carried_over") == others(plain, "requests", "req_carried_over")
    assert f"表三 row 「{CARRIED_LABEL}」: cells 「×」 are not numbers; left empty" in problems(crossed)


def test_active_disclosure_row_of_crosses():
    text = (RAW / "shanghai-office-2019.html").read_text(encoding="utf-8")
    start = text.index("<p>规章</p>")
    end = text.index("</tr>", start)
    row = text[start:end]
    crossed_row = row.replace(">13<", ">×<").replace(">524<", ">×<")
    crossed = parse.parse_bytes((text[:start] + crossed_row + text[end:]).encode("utf-8"), "shanghai-office-2019.html")
    plain = parsed("shanghai-office-2019.html")
    kept = [(c["column"], c["value"], c["value_raw"]) for c in cells_of(crossed, "active_disclosure", "regulations")]
    assert kept == [("本年新制作数量", None, "×"), ("本年新公开数量", None, "×"), ("对外公开总数量", None, "×")]
    assert others(crossed, "active_disclosure", "regulations") == others(plain, "active_disclosure", "regulations")
    assert "表二 row 「规章」: cells 「×」 are not numbers; left empty" in problems(crossed)


# ---------------------------------------------------------------- headers and captions stay what they were

@pytest.mark.parametrize("line, table, template", [
    ("| 二、上年结转政府信息公开申请数量 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
     "requests", "std2021"),
    ("| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |", "requests", "std2021"),
    ("| 行政许可 | 本年处理决定数量 |", "active_disclosure", "std2021"),
    ("| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", "active_disclosure", "std2021"),
    ("| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |", "review_litigation", "std2021"),
])
def test_a_header_row_is_no_data_row(line, table, template):
    row = row_from_stripped(pipe_cells(line), 1)
    assert not row.cells
    widths = {"requests": (7,), "active_disclosure": (1,), "review_litigation": (15, 5)}[table]
    given_back = std.give_back_cells([row], table, template, lambda label: widths, 0, 15,
                                     first_label=0 if table == "review_litigation" else 1)
    assert given_back == [row] and not given_back[0].unreadable
    first_label = 0 if table == "review_litigation" else 1
    assert std.with_unreadable_cells(row, table, template, lambda label: widths, first_label) is row


def test_header_rows_of_the_shipped_reports_stay_out_of_the_statistics():
    for name in ("shuyang-county-2025.md", "shanghai-office-2025.md", "shanghai-office-2019.html"):
        result = parsed(name)
        assert not [r for r in result.statistics if r["value_raw"] and r["value"] is None], name
        assert "are not numbers" not in problems(result), name
