"""Broken and hostile input never crashes the build or loses data; every value read is in the raw text."""
from __future__ import annotations

import ast
import os
import random
import re
import signal
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from pipeline import labels, numbers
from pipeline.read import UnreadableReport, decode_bytes, normalise_text
from mutations import cases, write_corpus

ROOT = Path(__file__).resolve().parent.parent
OGI = [sys.executable, "-m", "pipeline"]


def ogi_build(raw: Path, out: Path, jobs: int = 2, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*OGI, "build", "--raw", str(raw), "--out", str(out), "--jobs", str(jobs)],
                          capture_output=True, text=True, cwd=ROOT, **kw)


def read_tables(out: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(out / "ogi.duckdb"), read_only=True)
    try:
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in
                ("reports", "statistics", "application_outcomes", "key_domain_counts", "validation_results")}
    finally:
        con.close()


# ---------------------------------------------------------------- the fuzz corpus, built once


def fuzz(tmp_path_factory, n: int):
    folder = tmp_path_factory.mktemp(f"fuzz{n}")
    corpus = cases(n)
    write_corpus(folder / "raw", corpus)
    done = ogi_build(folder / "raw", folder / "out")
    return corpus, folder, done


@pytest.fixture(scope="module")
def fuzz_small(tmp_path_factory):
    return fuzz(tmp_path_factory, 240)


def raw_lines(data: bytes) -> list[str]:
    """The file's lines as the reader numbers them (decoded, NFKC, simplified)."""
    try:
        text, _ = decode_bytes(data)
    except UnreadableReport:
        return []
    return normalise_text(text).split("\n")


def number_text(value: float) -> str:
    return f"{abs(value):.10f}".rstrip("0").rstrip(".")


def _squash(text: str) -> str:
    return re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", text))


def source_window(lines: list[str], source_line: int) -> str:
    """The raw text a value cites: its line, and for an HTML table row the lines up to the row's end."""
    window = lines[source_line - 1: source_line]
    if window and "<tr" in window[0].lower():
        for line in lines[source_line: source_line + 80]:
            window.append(line)
            if "</tr" in line.lower():
                break
    return _squash("\n".join(window))


def uninvented_violations(corpus, tables) -> list[str]:
    by_name = {case.name: case.data for case in corpus}
    reports = tables["reports"].set_index("report_id")["source_path"]
    problems = []
    lines_of: dict[str, list[str]] = {}
    for row in tables["statistics"].itertuples(index=False):
        path = reports[row.report_id]
        lines = lines_of.setdefault(path, raw_lines(by_name[path]))
        window = source_window(lines, row.source_line) if 0 < row.source_line <= len(lines) else ""
        if pd.notna(row.value) and number_text(row.value) not in window:
            problems.append(f"{path}:{row.source_line} {row.label!r} value={row.value} raw={row.value_raw!r}")
    return problems


def check_invariants(corpus, folder: Path, done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.match(rf"^{len(corpus)} files: ", done.stdout), done.stdout
    tables = read_tables(folder / "out")
    reports = tables["reports"]
    assert Counter(reports["source_path"]) == Counter(case.name for case in corpus)
    unparsed = reports[reports["status"] != "parsed"]
    assert unparsed["error"].notna().all()
    for error in unparsed["error"]:
        # Words a user can act on: a sentence, not a bare exception name or a traceback.
        assert len(re.findall(r"[a-zA-Z]{3,}|[\u4e00-\u9fff]", error)) >= 4 and "Traceback" not in error, error
    for name, frame in tables.items():
        assert set(frame["report_id"]) <= set(reports["report_id"]), name
    assert uninvented_violations(corpus, tables) == []
    assert_views_are_static(folder / "out")


def test_fuzz_corpus_builds_and_keeps_every_file(fuzz_small):
    check_invariants(*fuzz_small)


def test_fuzz_corpus_covers_every_mutation(fuzz_small):
    corpus, folder, _ = fuzz_small
    kinds = Counter(case.kind for case in corpus)
    assert len(corpus) >= 200 and min(kinds.values()) >= 1 and len(kinds) >= 19, kinds
    reports = read_tables(folder / "out")["reports"]
    by_kind = dict(zip((c.name for c in corpus), (c.kind for c in corpus)))
    statuses = Counter(zip(reports["source_path"].map(by_kind), reports["status"]))
    # The files that hold no report fail with a reason; the mutations of real reports mostly still read.
    for kind in ("empty", "whitespace_only", "binary"):
        assert statuses[(kind, "failed")] == kinds[kind], statuses
    for kind in ("utf8_bom", "crlf", "gbk", "gb18030", "utf16", "traditional"):
        assert statuses[(kind, "failed")] == 0, (kind, statuses)


@pytest.mark.slow
def test_fuzz_corpus_large(tmp_path_factory):
    check_invariants(*fuzz(tmp_path_factory, 2_100))


def test_a_re_encoded_report_yields_the_same_statistics(tmp_path, raw_dir):
    """GBK, UTF-16, BOM, CRLF and traditional mirrors of one report give the same values as the original."""
    import mutations

    rng = random.Random(1)
    source = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "original.txt").write_text(source, encoding="utf-8")
    for kind in ("gbk", "gb18030", "utf16", "utf8_bom", "crlf", "traditional"):
        (raw / f"{kind}.txt").write_bytes(getattr(mutations, kind)(source, rng))
    assert ogi_build(raw, tmp_path / "out").returncode == 0
    stats = read_tables(tmp_path / "out")["statistics"]
    values = {rid: sorted(zip(g["indicator"], g["column"].fillna(""), g["value"].fillna(-1)))
              for rid, g in stats.groupby("report_id")}
    assert values["original"], "the original report yields statistics"
    for kind in ("gbk", "gb18030", "utf16", "utf8-bom", "crlf", "traditional"):
        assert values.get(kind.replace("_", "-")) == values["original"], kind


# ---------------------------------------------------------------- no SQL from report text


def assert_views_are_static(out: Path) -> None:
    """The views in ogi.duckdb are exactly the shipped SQL files' views, untouched by any report text."""
    from pipeline.write import view_sql

    con = duckdb.connect(str(out / "ogi.duckdb"), read_only=True)
    try:
        views = dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall())
    finally:
        con.close()
    shipped = {m.lower() for sql in view_sql("x") for m in re.findall(r"VIEW\s+(\w+)", sql, re.I)}
    assert set(views) == shipped
    for sql in views.values():
        assert not any(token in sql for token in ("DROP", "rm -rf", "COPY", "OR 1=1", "passwd")), sql


def _sql_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("execute", "sql", "query", "executemany") and node.args:
            yield node


def test_no_sql_is_built_from_text():
    """SQL reaching DuckDB is a constant, a shipped view file, a fixed table name, or the user's own query."""
    offenders = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _sql_calls(tree):
            arg = call.args[0]
            if isinstance(arg, ast.Constant) or (isinstance(arg, ast.Name) and arg.id in ("sql", "statement", "query")):
                continue
            if isinstance(arg, ast.JoinedStr) and all(isinstance(v.value, ast.Name) for v in arg.values
                                                      if isinstance(v, ast.FormattedValue)):
                continue  # a view or table name from a fixed list, e.g. f"DESCRIBE {view}"
            offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(arg)[:80]}")
    assert offenders == []


# ---------------------------------------------------------------- atomic writes under SIGKILL


def test_killed_builds_leave_the_previous_dataset_readable(tmp_path, raw_dir):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_corpus(raw, cases(12, seed=3))
    assert ogi_build(raw, out).returncode == 0
    before = read_tables(out)["reports"]["source_path"].sort_values().tolist()
    write_corpus(raw, cases(60, seed=4))  # a changed corpus: the next build has real work to do
    after = sorted(p.name for p in raw.iterdir())
    rng = random.Random(5)
    for attempt in range(6):
        proc = subprocess.Popen([*OGI, "build", "--raw", str(raw), "--out", str(out), "--jobs", "2"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.2, 4.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        tables = read_tables(out)  # readable at every moment
        seen = tables["reports"]["source_path"].sort_values().tolist()
        assert seen in (before, after), attempt
        assert all(set(t["report_id"]) <= set(tables["reports"]["report_id"]) for t in tables.values())
        assert pd.read_parquet(out / "statistics.parquet").shape[1] == tables["statistics"].shape[1]
        # Make the next kill land on real work again.
        for path in rng.sample(sorted(raw.iterdir()), 3):
            path.write_bytes(path.read_bytes() + f"\n{attempt}".encode())
    done = ogi_build(raw, out)
    assert done.returncode == 0, done.stderr
    assert read_tables(out)["reports"]["source_path"].sort_values().tolist() == after


# ---------------------------------------------------------------- properties of the small readers

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
REPORT_TEXT = st.text(st.one_of(CJK, CJK, CJK, st.sampled_from("0123456789 ,.:：、（）()\n一二三")), min_size=1, max_size=300)


@given(REPORT_TEXT.filter(lambda t: t.strip()), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"]))
@settings(max_examples=300, deadline=None)
def test_decode_bytes_recovers_text_in_every_common_encoding(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # not every CJK code point exists in GBK
    if encoding in ("gb18030", "gbk") and sum("\u4e00" <= c <= "\u9fff" for c in text) < 0.3 * len(text.strip()):
        return  # mostly digits: as GBK it is also valid (and equally likely) UTF-8 or ASCII
    if encoding in ("gb18030", "gbk") and len(data) < 16:
        return  # a few GBK characters can also be valid UTF-8 ('鐎乲' reads '瀁k'); a report is never that short
    decoded, _ = decode_bytes(data)
    assert decoded == text


@given(st.binary(max_size=3000))
@settings(max_examples=500, deadline=None)
def test_decode_bytes_returns_text_or_says_why(data):
    try:
        text, encoding = decode_bytes(data)
    except UnreadableReport as exc:
        assert str(exc)
        return
    assert isinstance(text, str) and encoding


# What labels are made of: CJK, ASCII, full-width forms and CJK punctuation, spaces of every kind.
LABEL_CHARS = st.one_of(CJK, st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
                        st.characters(min_codepoint=0x3000, max_codepoint=0x303F), st.sampled_from("\t\n\u00a0“”‘’"))


@given(st.one_of(st.text(LABEL_CHARS, max_size=80), st.text(max_size=40)))
@settings(max_examples=500, deadline=None)
def test_label_key_is_idempotent_and_has_no_whitespace(label):
    key = labels.label_key(label)
    assert labels.label_key(key) == key
    assert not re.search(r"\s", key)
    assert labels.label_key(unicodedata.normalize("NFKC", label)) == key


ENUMERATIONS = st.sampled_from(["", "一、", "(二)", "（三）", "4.", "5、", "(6)", "其中:", "其中：", "二、(一)"])
LABELS = st.text(st.one_of(CJK, st.sampled_from("数量件次 ")), min_size=1, max_size=20)


@given(ENUMERATIONS, LABELS)
@settings(max_examples=500, deadline=None)
def test_strip_enumeration_removes_only_the_numbering(enumeration, label):
    full = enumeration + label
    stripped = labels.strip_enumeration(full)
    assert labels.label_key(full).endswith(stripped)
    assert labels.strip_enumeration(stripped) == stripped
    # A label that itself opens with numbering or 其中 loses that too: only plain labels survive whole.
    if not re.match(r"^([一二三四五六七八九十]|其中)", labels.label_key(label)):
        assert stripped == labels.label_key(label)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", "件", "条", "万元", "%"]), st.booleans())
@settings(max_examples=500, deadline=None)
def test_parse_cell_reads_integers_as_printed(value, unit, thousands):
    printed = f"{value:,}" if thousands else str(value)
    assert numbers.parse_cell(printed + unit) == value
    assert numbers.parse_cell(" " + printed.translate(str.maketrans("0123456789", "０１２３４５６７８９")) + " ") == value


@given(st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_parse_cell_keeps_sign_and_decimals(value):
    assert numbers.parse_cell(str(value)) == pytest.approx(float(value))


@given(st.sampled_from(sorted(numbers.PLACEHOLDERS)), st.sampled_from(["", " ", "\u3000", "\t"]))
def test_parse_cell_placeholders_are_blank_not_zero(placeholder, pad):
    assert numbers.parse_cell(pad + placeholder + pad) is None


@given(st.text(max_size=30))
@settings(max_examples=1000, deadline=None)
def test_parse_cell_never_guesses(raw):
    """Any text is a number that is really printed in it, a blank, or a ValueError: never another error."""
    try:
        value = numbers.parse_cell(raw)
    except ValueError:
        return
    if value is not None and value < 2 ** 53:  # beyond that a double cannot hold every integer
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", raw))
        assert re.sub(r"\D", "", number_text(value)).lstrip("0") in digits


HTML_PIECES = st.one_of(CJK, st.sampled_from(list("<>/=\"' |\n\r\t&;#x0123456789abcdefhtmlpdivtrdscript")),
                        st.sampled_from(["<table>", "<tr>", "<td>", "</td>", "</tr>", "<br>", "<script>", "</script>",
                                         "<p>", "</p>", "&nbsp;", "&#x4e00;", "&#9999999;", "<!--", "-->", "<![CDATA["]))
HTMLISH = st.lists(HTML_PIECES, max_size=150).map("".join)


@given(st.one_of(HTMLISH.map(str.encode), st.binary(max_size=2000)))
@settings(max_examples=400, deadline=None)
def test_read_document_reads_or_says_why(data):
    from pipeline.read import read_document

    try:
        doc = read_document(data, "x.html")
    except UnreadableReport as exc:
        assert str(exc)
        return
    assert doc.lines and all(line.no >= 1 for line in doc.lines)
    assert all(line.no <= data.count(b"\n") + data.count(b"\r") + 1 for line in doc.lines)


def test_a_word_marked_section_html_parser_rejects_is_read_as_browsers_read_it():
    # html.parser raises on `<![ if` (Word's spacing); browsers take it as a bogus comment up to the next '>'.
    page = ("<html><body><p>某县2021年政府信息公开工作年度报告</p>"
            "<p><![ if !supportLists]>一、<![endif]>总体情况</p></body></html>")
    from pipeline.read import read_document

    doc = read_document(page.encode(), "word.html")
    assert [line.text for line in doc.lines] == ["某县2021年政府信息公开工作年度报告", "一、总体情况"]


def _cells(result) -> set[tuple]:
    """A parse's statistics cells with their values, to compare two copies of one report."""
    return {(r["table"], r["scope"], r["indicator"], r["column"], r["value"]) for r in result.statistics}


def test_a_pretty_printed_html_table_reads_the_same_cells_as_the_compact_page(raw_dir):
    # Servers often put a line break after every </td>; the break before </tr> is no cell of the row.
    from pipeline.parse import parse_bytes

    compact = (raw_dir / "shanghai-office-2019.html").read_bytes()
    pretty = compact.replace(b"</td>", b"</td>\n  ")
    read_compact, read_pretty = parse_bytes(compact, "s.html"), parse_bytes(pretty, "s.html")
    assert read_pretty.report["status"] == read_compact.report["status"] == "parsed"
    assert _cells(read_pretty) == _cells(read_compact) and len(_cells(read_compact)) == 198


def test_a_page_laid_out_in_a_table_keeps_its_prose_and_metadata(raw_dir):
    # Older sites put the whole report in a cell of a layout table; its data tables then nest inside that cell.
    from pipeline.parse import parse_bytes
    from pipeline.read import read_document

    page = (raw_dir / "shanghai-office-2019.html").read_text(encoding="utf-8")
    wrapped = f'<html><body><table width="100%"><tr><td>首页</td><td class="content">{page}</td></tr></table></body></html>'
    plain, laid_out = read_document(page.encode(), "s.html"), read_document(wrapped.encode(), "s.html")
    assert [line.text for line in laid_out.lines] == ["首页"] + [line.text for line in plain.lines]
    report = parse_bytes(wrapped.encode(), "s.html").report
    assert (report["title"], report["report_year"], report["status"]) == (
        "2019年上海市人民政府办公厅政府信息公开工作年度报告", 2019, "parsed")


def test_end_tags_html_lets_a_page_leave_out_are_implied():
    from pipeline.read import read_document

    page = ("<html><body><p>某县2019年政府信息公开工作年度报告</p><table><tr><td>行政法规<td>1<td>2"
            "<tr><td>规章<td>3<td></table><p>五、存在的主要问题</p></body></html>")
    assert [line.text for line in read_document(page.encode(), "x.html").lines] == [
        "某县2019年政府信息公开工作年度报告", "行政法规 | 1 | 2", "规章 | 3 | ", "五、存在的主要问题"]


@pytest.mark.parametrize("report", ["zhucheng-2017.txt", "shanghai-office-2025.md", "shuyang-county-2025.md"])
@pytest.mark.parametrize("footer", ["- {} -", "第 {} 页 共 9 页", "第{}页"])
def test_page_numbers_a_pdf_copy_prints_among_table_lines_are_no_cells(raw_dir, report, footer):
    from pipeline.parse import parse_bytes

    lines = (raw_dir / report).read_text(encoding="utf-8").split("\n")
    paged = "\n".join(f"{line}\n{footer.format(i // 17)}" if i and i % 17 == 0 else line for i, line in enumerate(lines))
    plain, with_footers = parse_bytes("\n".join(lines).encode(), report), parse_bytes(paged.encode(), report)
    assert _cells(with_footers) == _cells(plain) and with_footers.report["status"] == plain.report["status"]


def test_a_table_drawn_with_box_drawing_characters_reads_as_its_markdown_copy(raw_dir):
    from pipeline.parse import parse_bytes

    def drawn(line: str) -> str:
        if line.startswith("|") and set(line) <= set("|-: "):  # a markdown rule → ├───┼───┤
            return "├" + line.strip("|").replace("|", "┼").replace("-", "─").replace(":", "─") + "┤"
        return line.replace("|", "│")

    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    boxed = "\n".join(drawn(line) for line in text.split("\n"))
    assert "├───┼" in boxed and "│" in boxed
    plain, drawn_copy = parse_bytes(text.encode(), "s.md"), parse_bytes(boxed.encode(), "s.md")
    assert _cells(drawn_copy) == _cells(plain) and len(_cells(plain)) == 200
    assert drawn_copy.report["status"] == "parsed"


def test_a_reader_crash_fails_its_file_alone_and_says_why(monkeypatch):
    from pipeline import parse

    def crash(data, source_path):
        raise AssertionError("expected name token")

    monkeypatch.setattr(parse, "read_document", crash)
    report = parse.parse_bytes("某县2021年政府信息公开工作年度报告".encode(), "odd.html").report
    assert report["status"] == "failed"
    assert report["error"] == ("odd.html: could not be read (AssertionError: expected name token); "
                               "please report this with the file")


def test_a_traditional_mirror_with_pinyin_annotations_reads_like_the_plain_mirror(raw_dir):
    """Mirrors sometimes print pinyin after characters, '公開(kai)' (formats.md §5); the annotations are dropped."""
    import zhconv

    from pipeline.parse import parse_bytes

    mirror = zhconv.convert((raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8"), "zh-tw")
    annotated = mirror.replace("公開", "公開(kāi)").replace("申請", "申請(qing3)")
    assert annotated.count("(kāi)") > 10 and "受理政府信息公開(kāi)申請(qing3)" in annotated
    plain, read = (parse_bytes(text.encode("utf-8"), "shuyang.md") for text in (mirror, annotated))
    for field in ("title", "jurisdiction", "report_year", "status"):
        assert read.report[field] == plain.report[field], field
    assert read.report["title"] == "沐阳县人民政府2025年政府信息公开工作年度报告"
    for table in ("statistics", "application_outcomes", "key_domain_counts"):
        assert [{**r, "report_id": None} for r in getattr(read, table)] == \
               [{**r, "report_id": None} for r in getattr(plain, table)], table


def test_a_lone_latin_word_in_brackets_is_no_pinyin_annotation():
    assert normalise_text("移动客户端(app)与情形(a)") == "移动客户端(app)与情形(a)"
    assert normalise_text("公开(kai)、申请(shen)、答复(da2)") == "公开、申请、答复"
