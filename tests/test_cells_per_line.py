"""The one-cell-per-line reader on real snippets: blanks, notes, wrapped labels, unit cells."""
from pipeline.layouts.cells_per_line import cell_text, read_rows
from pipeline.read import Line, read_document

# As printed in a Shandong 2017 统计表 copied from HTML (NBSP cells, a repeated note, a wrapped label).
SNIPPET = "\n".join([
    "一、主动公开情况", "", "\u00a0", "", "\u00a0", "",
    "  (一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", "",
    "    (不同渠道和方式公开相同信息计1条)", "", "22794", "",
    "(一)回应公众关注热点或重大舆情数", "", "(不同方式回应同一热点或舆情计1次)", "", "1980", "",
    "  (四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维",
    "     护等方面的经费)", "", "万元", "", "0", "",
])


def _lines(text):
    return read_document(text.encode("utf-8"), "snippet.txt").lines


def test_cells_are_numbers_blanks_placeholders_and_units():
    assert cell_text("22794") == "22794"
    assert cell_text(" ") == ""
    assert cell_text("万元") == "万元"
    assert cell_text("/") == "/"
    assert cell_text("  (一)收到申请数") is None
    assert cell_text("2018年3月") is None


def test_rows_join_notes_and_wrapped_labels():
    rows = read_rows(_lines(SNIPPET))
    assert [r.label for r in rows] == [
        "一、主动公开情况",
        "(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)",
        "(一)回应公众关注热点或重大舆情数(不同方式回应同一热点或舆情计1次)",
        "(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)",
    ]
    assert [c.text for c in rows[0].cells] == ["", ""]  # two NBSP cells: blank unit, blank value
    assert [(c.text, c.line) for c in rows[1].cells] == [("22794", 11)]
    assert [c.text for c in rows[3].cells] == ["万元", "0"]


def test_blank_cell_is_not_a_separator():
    rows = read_rows([Line(1, "1.政府公报公开政府信息数"), Line(2, ""), Line(3, " "), Line(4, ""), Line(5, "0")])
    assert [c.text for c in rows[0].cells] == ["", "0"]
    assert rows[0].cells[0].is_blank and not rows[0].cells[1].is_blank


def test_real_report_rows(doc):
    lines = doc("zhucheng-2017.txt").lines
    body = [l for l in lines if 232 <= l.no <= 589]
    rows = read_rows(body)
    by_label = {r.label: r for r in rows}
    assert [c.text for c in by_label["(三)接受培训人员数"].cells] == ["人次", "650"]
    assert [c.text for c in by_label["七、向图书馆、档案馆等查阅场所报送信息数"].cells] == ["", "448"]
    assert [c.text for c in by_label["县市区政府(市属开发区管委会)部门门户网站"].cells] == ["0"]
    assert len(rows) == 83  # 75 rows with values and 8 headings


def test_a_run_of_dashes_is_a_blank_cell_not_a_row():
    """Markdown copies print an empty cell as '----' (formats §5.3, S15); a run of dashes of any length is a blank."""
    rows = read_rows(_lines("5.其他形式\n----\n\n6.申请信息不存在数\n——————\n"))
    assert [(r.label, [(c.text, c.is_blank) for c in r.cells]) for r in rows] == [
        ("5.其他形式", [("----", True)]), ("6.申请信息不存在数", [("——————", True)])]
    assert cell_text("未统计") is None and cell_text("--x") is None
