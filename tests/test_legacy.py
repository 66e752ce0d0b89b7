"""Legacy 统计表 → statistics rows, on the shipped reports and on realistic snippets of other provincial forms."""
import pytest

from pipeline.read import read_document
from pipeline.splits import split_enumeration_tail
from pipeline.templates import legacy


def _parse(text: str, name: str = "snippet.txt"):
    return legacy.parse_tables(read_document(text.encode("utf-8"), name))


def _cell(rows, indicator, scope=None, column=None):
    found = [r for r in rows if r["indicator"] == indicator and r["scope"] == scope and r["column"] == column]
    assert len(found) == 1, (indicator, scope, column, found)
    return found[0]


@pytest.fixture(scope="module")
def zhucheng():
    from tests.conftest import RAW
    from pipeline.read import read_path
    return legacy.parse_tables(read_path(RAW / "zhucheng-2017.txt", RAW))


@pytest.fixture(scope="module")
def pingtan():
    from tests.conftest import RAW
    from pipeline.read import read_path
    return legacy.parse_tables(read_path(RAW / "pingtan-2017.txt", RAW))


# One cell from every one of the 13 sections, in both table instances (values as printed in the report).
ZHUCHENG = [
    ("active_total", "一.(一)", 22794, 27519, 242, 613),
    ("active_via_website", "一.(二).2", 9128, 9910, 264, 635),
    ("response_hotspots", "二.(一)", 1980, 2100, 288, 659),
    ("response_online_interviews_leaders", "二.(二).2.其中", 90, 90, 310, 681),
    ("requests_fax", "三.(一).2", 0, 0, 340, 711),
    ("denied_not_government_info", "三.(三).4.其中", 3, 3, 404, 775),
    ("reviews_maintained", "四.(一)", 2, 2, 432, 803),
    ("lawsuits_other", "五.(三)", 1, 1, 456, 827),
    ("complaints_total", "六", 0, 0, 460, 831),
    ("archive_submissions", "七", 448, 448, 478, 849),
    ("websites_county_depts", "八.(二)", 0, 0, 498, 869),
    ("gazette_copies", "九.(二)", 4000, 4000, 512, 887),
    ("reading_points_county_depts", "十.(二)", 68, 68, 524, 899),
    ("reading_visitors_county_gov", "十一.(一)", 3200, 3200, 532, 911),
    ("special_funds", "十二.(四)", 0, 0, 569, 952),
    ("trainees", "十三.(三)", 650, 860, 589, 972),
]


@pytest.mark.parametrize("indicator,path,city,region,city_line,region_line", ZHUCHENG)
def test_zhucheng_cells_in_both_scopes(zhucheng, indicator, path, city, region, city_line, region_line):
    for scope, value, line in (("市本级", city, city_line), ("本行政区域", region, region_line)):
        row = _cell(zhucheng.rows, indicator, scope)
        assert (row["row_path"], row["value"], row["value_raw"], row["source_line"]) == (path, value, str(value), line)
        assert row["table"] == "legacy_stats" and row["column"] is None


def test_zhucheng_layout_counts_and_no_problems(zhucheng):
    assert zhucheng.layout == "cells_per_line"
    assert zhucheng.problems == []
    assert sum(r["scope"] == "市本级" for r in zhucheng.rows) == 75
    assert sum(r["scope"] == "本行政区域" for r in zhucheng.rows) == 78  # plus the three 镇政府 rows


def test_zhucheng_town_rows_only_in_the_region_table(zhucheng):
    assert _cell(zhucheng.rows, "reading_points_towns", "本行政区域")["value"] == 16
    assert _cell(zhucheng.rows, "reading_visitors_towns", "本行政区域")["value"] == 2600
    assert not [r for r in zhucheng.rows if r["indicator"].endswith("_towns") and r["scope"] == "市本级"]


def test_zhucheng_units_from_print_or_catalog(zhucheng):
    assert _cell(zhucheng.rows, "special_funds", "市本级")["unit"] == "万元"  # printed
    assert _cell(zhucheng.rows, "trainees", "市本级")["unit"] == "人次"  # printed
    assert _cell(zhucheng.rows, "gazette_issues", "市本级")["unit"] == "期"  # from the catalog
    assert _cell(zhucheng.rows, "response_interpretations", "市本级")["unit"] == "篇"


def test_zhucheng_headings_give_no_rows_and_notes_stay_in_labels(zhucheng):
    labels = [r["label"] for r in zhucheng.rows]
    assert not [l for l in labels if "通过不同渠道和方式公开政府信息的情况" in l or l.startswith("一、")]
    assert _cell(zhucheng.rows, "response_hotspots", "市本级")["label"] == \
        "(一)回应公众关注热点或重大舆情数(不同方式回应同一热点或舆情计1次)"
    assert _cell(zhucheng.rows, "special_funds", "市本级")["label"].endswith("政府网站建设维护等方面的经费)")


def test_same_label_under_different_parents(zhucheng):
    """县市区政府(市属开发区管委会)… rows print identically under 八, 十 and 十一, some without numbering."""
    city = [r for r in zhucheng.rows if r["scope"] == "市本级" and r["label"].endswith("县市区政府(市属开发区管委会)部门")]
    assert [(r["indicator"], r["row_path"], r["value"]) for r in city] == [
        ("reading_points_county_depts", "十.(二)", 68), ("reading_visitors_county_depts", "十一.(二)", 2100)]
    corrected = [r["indicator"] for r in zhucheng.rows if r["scope"] == "市本级" and r["label"] == "(二)被依法纠错数"]
    assert corrected == ["reviews_corrected", "lawsuits_corrected"]


def test_pingtan_collapsed_cells_in_both_columns(pingtan):
    assert pingtan.layout == "collapsed" and pingtan.problems == []
    total = _cell(pingtan.rows, "active_total", column="2017年度")
    assert (total["value"], total["value_raw"], total["unit"], total["source_line"]) == (2122, "2122", "条", 10)
    assert _cell(pingtan.rows, "active_total", column="历年累计")["value"] == 10037
    assert _cell(pingtan.rows, "active_via_website", column="2017年度")["value"] == 2122
    assert _cell(pingtan.rows, "active_via_website", column="历年累计")["value"] == 10037
    assert _cell(pingtan.rows, "active_via_gazette", column="历年累计")["value"] == 0
    assert _cell(pingtan.rows, "requests_letter_or_fax", column="2017年度")["value"] == 0
    assert _cell(pingtan.rows, "replies_other", column="历年累计")["value"] == 0
    assert _cell(pingtan.rows, "lawsuits_total", column="历年累计")["unit"] == "件"
    assert len(pingtan.rows) == 30 and all(r["scope"] is None for r in pingtan.rows)


def test_pingtan_row_paths_follow_printed_and_inferred_numbering(pingtan):
    paths = {r["indicator"]: r["row_path"] for r in pingtan.rows}
    assert paths["active_via_gazette"] == "一.其中.2"
    assert paths["requests_received"] == "二"  # unnumbered, after a 其中 group it does not belong to
    assert paths["replies_other"] == "三.其中.4"


# The same collapsed shape with nothing to settle the first run: 185612 is 1|85612, 18|5612 or 185|612.
AMBIGUOUS = ("六、政府信息公开情况统计表指标名称计量单位2016年度历年累计"
             "主动公开文件数条185612其中:1、政府网站公开数条1856122、政府公报公开数条00行政复议数件00")


def test_ambiguous_collapsed_split_stays_blank_and_is_reported():
    result = _parse(AMBIGUOUS)
    total = _cell(result.rows, "active_total", column="2016年度")
    assert total["value"] is None and total["value_raw"] == "185612"
    assert _cell(result.rows, "active_total", column="历年累计")["value"] is None
    assert any("主动公开文件数" in p and "185612" in p for p in result.problems)
    assert _cell(result.rows, "active_via_gazette", column="2016年度")["value"] == 0


def test_prose_settles_a_split():
    result = _parse("2016年全区主动公开政府信息18条。\n" + AMBIGUOUS)
    assert _cell(result.rows, "active_total", column="2016年度")["value"] == 18
    assert _cell(result.rows, "active_total", column="历年累计")["value"] == 5612
    # the child is now bounded by its parent: 1856|12 breaks 历年累计 ≥ 本年度, 18|5612 is the only fit
    assert _cell(result.rows, "active_via_website", column="历年累计")["value"] == 5612
    assert not result.problems


def test_an_enumeration_tail_is_cut_only_when_it_reads_as_the_next_number():
    assert split_enumeration_tail("2122100372", 2) == ("212210037", "2")
    assert split_enumeration_tail("2122100373", 2) is None


def test_long_digit_runs_stay_fast():
    result = _parse("指标名称计量单位本期实际本年累计历年累计主动公开信息数条" + "1234567890" * 4 + "行政复议数件000")
    assert _cell(result.rows, "reviews_total", column="历年累计")["value"] == 0
    assert _cell(result.rows, "active_total", column="本期实际")["value"] is None


GANSU = "\n\n".join([
    "政府信息公开情况统计报表", "指 标 名 称", "计量单位", "代码", "本期实际", "本年累计", "甲", "乙", "丙", "1", "2",
    "主动公开信息数(条)", "01", "120", "350",
    "其中:全文电子化的主动公开信息数", "条", "02", "100", "300",
    "申请总数", "条", "10", "\u00a0", "4",
    "“非《规定》所指政府信息”数", "条", "21", "0", "1",
    "“免予公开范围1”数", "条", "25", "0", "0",
    "行政申诉数", "件", "34", "0", "0",
])


def test_gansu_codes_are_identifiers_never_values():
    result = _parse(GANSU)
    assert not result.problems
    total = _cell(result.rows, "active_total", column="本期实际")
    assert (total["value"], total["row_path"], total["unit"]) == (120, "01", "条")  # unit printed in the label
    assert _cell(result.rows, "active_full_text_electronic", column="本年累计")["value"] == 300
    assert _cell(result.rows, "requests_received", column="本期实际")["value"] is None  # blank, not 0
    assert _cell(result.rows, "requests_received", column="本年累计")["value"] == 4
    assert _cell(result.rows, "denied_not_government_info", column="本年累计")["value"] == 1
    assert _cell(result.rows, "denied_exempt_1", column="本期实际")["value"] == 0
    assert _cell(result.rows, "appeals_total", column="本年累计")["row_path"] == "34"
    assert {r["value"] for r in result.rows} <= {None, 0, 1, 4, 100, 120, 300, 350}


FUJIAN = """<html><body><p>附表</p><table>
<tr><td>指标名称</td><td>计量单位</td><td>2009年度</td><td>历年累计</td></tr>
<tr><td>主动公开信息数</td><td>条</td><td>1520</td><td>6230</td></tr>
<tr><td>其中:1.政府网站</td><td>条</td><td>1400</td><td>5800</td></tr>
<tr><td>2.政府公报</td><td>条</td><td>&nbsp;</td><td>30</td></tr>
<tr><td>受理依申请公开信息总数</td><td>件</td><td>12</td><td>40</td></tr>
<tr><td>其中:1.当面申请数</td><td>件</td><td>2</td><td>9</td></tr>
<tr><td>6.其它形式申请数</td><td>件</td><td>0</td><td>1</td></tr>
<tr><td>行政申诉数</td><td>件</td><td>0</td><td>0</td></tr>
</table></body></html>"""


def test_fujian_two_value_html_table():
    result = _parse(FUJIAN, "fujian.html")
    assert result.layout == "html" and not result.problems
    assert _cell(result.rows, "active_via_website", column="2009年度")["value"] == 1400
    gazette = _cell(result.rows, "active_via_gazette", column="2009年度")
    assert gazette["value"] is None and gazette["value_raw"] == ""
    assert _cell(result.rows, "active_via_gazette", column="历年累计")["value"] == 30
    assert _cell(result.rows, "requests_other_form", column="历年累计")["value"] == 1
    assert _cell(result.rows, "appeals_total", column="2009年度")["row_path"] == "三"


@pytest.mark.parametrize("printed,code", [
    ("(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", "active_total"),
    ("主动公开文件数", "active_total"),
    ("受理政府信息依申请公开总数", "requests_received"),
    ("其中:1、网上申请数", "requests_online"),
    ("3、不予公开答复数", "replies_denied"),
    ("“非本部门掌握”数", "replies_not_this_agency"),
    ("1.专职人员数(不包括政府公报及政府网站工作人员数)", "staff_full_time"),
    ("二、回应解读情况(不同方式回应同一热点或舆情计1次)", "responses"),
])
def test_catalog_maps_label_variants(printed, code):
    assert [c["indicator"] for c in legacy.candidates(printed)] == [code]


def test_unmapped_label_keeps_its_values_and_is_reported():
    text = "\n\n".join(["统计指标", "单位", "统计数", "一、主动公开情况", "\u00a0", "\u00a0",
                       "(一)主动公开政府信息数", "120", "(二)网站专栏点击量", "次", "4500"])
    result = _parse(text)
    row = _cell(result.rows, "unmapped")
    assert (row["value"], row["unit"], row["row_path"]) == (4500, "次", "一.(二)")
    assert any("网站专栏点击量" in p for p in result.problems)


# A town-level form in markdown: 序号 column, three value columns by level, a blank cell.
TOWN_MARKDOWN = """乡镇政府信息公开情况统计表

| 序号 | 统计指标 | 单位 | 区政府统计数 | 区直单位统计数 | 乡镇街道统计数 |
|---- | |||---|---|
| 一 | 主动公开情况 | | | | |
| 1 | 主动公开政府信息数 | 条 | 120 | 80 | 35 |
| 2 | 主动公开行政执法信息 | 条 | 12 | | 3 |
| 3 | 网络申请数 | 件 | 4 | 0 | 1 |
"""


def test_markdown_table_with_serial_numbers_and_three_value_columns():
    result = _parse(TOWN_MARKDOWN, "town.md")
    assert result.layout == "markdown" and not result.problems
    total = _cell(result.rows, "active_total", column="乡镇街道统计数")
    assert (total["value"], total["row_path"], total["source_line"]) == (35, "一.1", 6)
    assert _cell(result.rows, "active_law_enforcement", column="区直单位统计数")["value"] is None
    assert _cell(result.rows, "requests_online", column="区政府统计数")["value"] == 4
    assert len(result.rows) == 9


def test_gbk_copy_with_question_marks_for_blank_cells_reads_the_same_values(raw_dir):
    """A page saved in GBK prints '?' for a cell that held only a no-break space."""
    from pipeline.parse import parse_bytes

    original = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8")
    # A lone no-break space becomes '?'; indentation no-break spaces become plain spaces.
    blank_cells_as_marks = "\n".join("?" if line == "\u00a0" else line.replace("\u00a0", " ")
                                     for line in original.split("\n"))
    gbk = blank_cells_as_marks.encode("gbk", errors="replace")
    ours = parse_bytes(gbk, "zhucheng-gbk.txt").statistics
    theirs = parse_bytes(original.encode("utf-8"), "zhucheng-2017.txt").statistics
    assert len(theirs) == 153
    assert [(r["scope"], r["indicator"], r["value"]) for r in ours] == \
        [(r["scope"], r["indicator"], r["value"]) for r in theirs]


def test_a_row_with_too_few_cells_keeps_its_cells_empty_and_is_reported():
    short_row = FUJIAN.replace("<tr><td>行政申诉数</td><td>件</td><td>0</td><td>0</td></tr>",
                               "<tr><td>行政申诉数</td><td>件</td><td>7</td></tr>")
    assert short_row != FUJIAN
    result = _parse(short_row, "fujian.html")
    cells = [r for r in result.rows if r["indicator"] == "appeals_total"]
    assert [(c["column"], c["value"], c["value_raw"]) for c in cells] == [("2009年度", None, ""), ("历年累计", None, "")]
    assert result.problems == ["legacy table: row '行政申诉数' has 1 cells for 2 columns; its cells are left empty"]
    plain = _parse(FUJIAN, "fujian.html")
    assert len(result.rows) == len(plain.rows)


# ── the same tables in other layouts ─────────────────────────────────────────────────────────────

def _zhucheng_relaid(raw_dir, row_text) -> str:
    """zhucheng-2017 with its two tables printed one row per line: row_text(label, unit, values) → the line.

    The header comes as ('统计指标', '单位', ['统计数']); a caption (title, scope) as (label, None, None).
    """
    from pipeline.layouts.cells_per_line import UNIT_WORDS, read_rows

    text = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8")
    raw = text.split("\n")
    start, end = raw.index("附表"), max(i for i, l in enumerate(raw) if l.strip().startswith("(注"))
    lines = [l for l in read_document(text.encode("utf-8"), "zhucheng-2017.txt").lines if start < l.no <= end]
    out = []
    for row in read_rows(lines):
        cells = [c.text for c in row.cells]
        if row.label in ("单位", "统计数"):
            continue
        if row.label.replace(" ", "") == "统计指标":
            out.append(row_text("统计指标", "单位", ["统计数"]))
        elif not cells:
            out.append(row_text(row.label, None, None))
        else:
            out.append(row_text(row.label.replace(" ", ""), next((c for c in cells if c in UNIT_WORDS), ""),
                                [c for c in cells if c.strip() and c not in UNIT_WORDS][-1:] or [""]))
    return "\n".join(raw[:start] + out + raw[end:])


def _scoped_cells(rows):
    return sorted((r["scope"], r["indicator"], r["column"], r["value"], r["row_path"]) for r in rows)


def _tsv_row(label, unit, values):
    return label if unit is None else "\t".join([label, unit, *values])


def _pdf_row(label, unit, values):
    return label if unit is None else " ".join(x for x in [label, unit, *values] if x)


@pytest.mark.parametrize("row_text,layout", [(_tsv_row, "tsv"), (_pdf_row, "pdf_text")])
def test_zhucheng_relaid_as_tsv_or_pdf_text_reads_the_same_cells(zhucheng, raw_dir, row_text, layout):
    text = _zhucheng_relaid(raw_dir, row_text)
    assert ("\t22794\n" if layout == "tsv" else "计1条) 22794\n") in text  # the fixture holds what it tests
    result = _parse(text, "zhucheng-relaid.txt")
    assert (result.layout, result.problems) == (layout, [])
    assert len(result.rows) == 153
    assert _scoped_cells(result.rows) == _scoped_cells(zhucheng.rows)


# S15 (formats §5.3, §4.3): a markdown legacy table whose 序号 column prints （一）, with '----' for empty cells.
S15_MARKDOWN = """附件：政府信息公开情况统计表
| 序号 | 统计指标 | 单位 | 区政府统计数 | 区直单位统计数 | 乡镇街道统计数 |
|----|----|----|----|----|----|
| 一 | 主动公开情况 | ---- | |||
| （一） | 主动公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | 1200 | 860 | 356 |
| | 其中：主动公开规范性文件数 | 条 | 12 | 5 | 0 |
| | 制发规范性文件总数 | 件 | 12 | 5 | 0 |
| 三 | 依申请公开情况 | ---- | |||
| （一） | 收到申请数 | 件 | 40 | 10 | 2 |
| 1 | 当面申请数 | 件 | 10 | 2 | 1 |
| 2 | 传真申请数 | 件 | ---- | 0 | 0 |
| 3 | 网络申请数 | 件 | 25 | 6 | 1 |
"""


def test_pipe_rows_without_a_rule_are_the_pipe_layout():
    without_rule = "\n".join(l for l in S15_MARKDOWN.split("\n") if not l.startswith("|----"))
    assert _parse(without_rule, "s15.txt").layout == "pipe"


def test_s15_markdown_serial_cells_and_dash_blanks():
    result = _parse(S15_MARKDOWN, "s15.md")
    assert (result.layout, result.problems) == ("markdown", [])
    paths = [(r["row_path"], r["indicator"], r["value"]) for r in result.rows if r["column"] == "区政府统计数"]
    assert paths == [("一.(一)", "active_total", 1200), ("一.(一).其中", "active_normative_docs", 12),
                     ("一.(一).其中", "normative_docs_issued", 12), ("三.(一)", "requests_received", 40),
                     ("三.(一).1", "requests_in_person", 10), ("三.(一).2", "requests_fax", None),
                     ("三.(一).3", "requests_online", 25)]
    fax = _cell(result.rows, "requests_fax", column="区政府统计数")
    assert (fax["value_raw"], fax["label"], fax["source_line"]) == ("----", "2.传真申请数", 11)
    assert _cell(result.rows, "active_total", column="乡镇街道统计数")["value"] == 356
    assert len(result.rows) == 7 * 3


def test_zhucheng_cells_printed_as_neither_numbers_nor_placeholders_are_kept_and_reported(zhucheng, raw_dir):
    """One cell per line: a value line reading '×' or '未统计' is the cell of the row above it, not a row."""
    raw = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8").split("\n")
    assert (raw[339], raw[969], raw[971]) == ("0", "人次", "860")  # 2.传真申请数 (市本级), 接受培训人员数 (本行政区域)
    raw[339], raw[971] = "×", "未统计"
    result = _parse("\n".join(raw), "zhucheng-crossed.txt")
    assert result.problems == ["legacy table: row 「2.传真申请数」: cells 「×」 are not numbers; left empty",
                               "legacy table: row 「(三)接受培训人员数」: cells 「未统计」 are not numbers; left empty"]
    crossed = {("市本级", "requests_fax"): "×", ("本行政区域", "trainees"): "未统计"}
    expected = [(s, i, c, None if (s, i) in crossed else v, p) for s, i, c, v, p in _scoped_cells(zhucheng.rows)]
    assert _scoped_cells(result.rows) == expected
    fax = _cell(result.rows, "requests_fax", "市本级")
    assert (fax["value_raw"], fax["source_line"], fax["label"]) == ("×", 340, "2.传真申请数")
    trainees = _cell(result.rows, "trainees", "本行政区域")
    assert (trainees["value_raw"], trainees["source_line"], trainees["unit"]) == ("未统计", 972, "人次")
