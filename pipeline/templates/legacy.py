"""Legacy (report years ≤ 2018) 统计表 → statistics rows."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline import catalog
from pipeline.labels import label_key, strip_enumeration, text_key
from schemas.vocabularies import UNMAPPED
from pipeline.layouts.cells_per_line import Cell, UNIT_WORDS, cell_text, read_rows
from pipeline.layouts.collapsed_legacy import read_collapsed
from pipeline.layouts.pdf_text import is_page_footer, split_cells
from pipeline.numbers import parse_cell
from pipeline.read import Line
from pipeline.splits import digit_splits

TABLE = "legacy_stats"
MAX_CELL_DIGITS = 9  # bounds split enumeration on long runs; no legacy count reaches a billion

_LABEL_HEADERS = ("统计指标", "指标名称")
_UNIT_HEADERS = ("单位", "计量单位")
_CODE_HEADER = "代码"
_COLUMN_LETTERS = {"甲", "乙", "丙", "丁"}
_VALUE_HEADER = re.compile(r"\d{4}年度|\d{4}年|本年度|上年度|本期实际|本年累计|历年累计|累计数?|[^|]{0,8}统计数|数量")
_CUMULATIVE = re.compile(r"累计")
_COLLAPSED_HEADER = re.compile(
    rf"(?:{'|'.join(_LABEL_HEADERS)})\s*(?P<unit>(?:计量)?单位)?\s*(?P<code>代码)?\s*"
    rf"(?P<cols>(?:(?:{_VALUE_HEADER.pattern})\s*)+)")
_TABLE_END = re.compile(r"^[(（]?注[:：]|统计表|。")
_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
_ENUM_TOKEN = re.compile(
    r"(?P<q>其中[:：]?)|[(（](?P<b>[一二三四五六七八九十]+)[)）]|(?P<a>[一二三四五六七八九十]+)[、.．]"
    r"|[(（](?P<d>\d+)[)）]|(?P<c>\d+)[.、．](?!\d)")
_CN_DIGITS = "一二三四五六七八九"
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_COUNT_SUFFIX = re.compile(r"(总数|数)$")
_UNIT_NOTE = re.compile(r"[(（]([^()（）]+)[)）]$")


@dataclass
class TableSpec:
    """What the header says: the value columns, whether a unit or a code column stands before them."""
    columns: list[str]
    has_unit: bool = True
    has_code: bool = False
    scope: str | None = None
    header_line: int = 0


@dataclass
class Row:
    """A printed row on its way to statistics rows: structure first, values once its parents are known."""
    label: str
    line: int
    unit: str = ""
    cells: list[Cell] | None = None  # cells read one per line
    runs: list[str] | None = None  # collapsed digit runs, split once constraints are known
    path: tuple[tuple[str, str], ...] = ()  # (kind, printed number) pairs
    indicator: dict | None = None
    code: str = ""  # the 代码 cell of forms that number rows by code
    blank: bool = False  # every value cell printed blank: a heading when it has children
    values: list[float | None] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


# ── catalog ──────────────────────────────────────────────────────────────────────────────────────

@lru_cache(maxsize=16384)  # label keys repeat across reports
def _note_free(key: str) -> str:
    prev = None
    while prev != key:
        prev, key = key, _TRAILING_NOTE.sub("", key)
    return key


@lru_cache(maxsize=1)
def _catalog_index() -> dict[str, list[dict]]:
    index: dict[str, list[dict]] = {}
    for row in catalog.indicators(table=TABLE, template="legacy"):
        for name in [row["label"], *filter(None, row["aliases"].split("|"))]:
            for key in {strip_enumeration(name), _note_free(strip_enumeration(name))}:
                if row not in index.setdefault(key, []):
                    index[key].append(row)
    return index


@lru_cache(maxsize=16384)  # printed labels repeat across reports; a tuple, so no caller can change the cached answer
def candidates(label: str) -> tuple[dict, ...]:
    """Catalog rows a printed label may be: matched on its key, then without trailing notes."""
    index, key = _catalog_index(), strip_enumeration(label)
    return tuple(index.get(key) or index.get(_note_free(key)) or ())


@lru_cache(maxsize=1)
def _by_code() -> dict[str, dict]:
    return {r["indicator"]: r for r in catalog.indicators(table=TABLE, template="legacy")}


def _ancestors(indicator: dict | None) -> tuple[str, ...]:
    return _ancestors_of(indicator["indicator"]) if indicator else ()


@lru_cache(maxsize=None)
def _ancestors_of(code: str) -> tuple[str, ...]:
    codes, seen = [], _by_code()
    indicator = seen.get(code)
    while indicator and indicator["parent"] and indicator["parent"] not in codes:
        codes.append(indicator["parent"])
        indicator = seen.get(indicator["parent"])
    return tuple(codes)


# ── structure: numbering paths and indicators ────────────────────────────────────────────────────

@lru_cache(maxsize=16384)  # printed labels repeat across reports
def enumeration_tokens(label: str) -> tuple[tuple[str, str], ...]:
    """Leading numbering as (kind, number): '其中:1、' → (('q', '其中'), ('c', '1'))."""
    s, out = label_key(label), []
    while m := _ENUM_TOKEN.match(s):
        kind = m.lastgroup
        out.append((kind, "其中" if kind == "q" else m.group(kind)))
        s = s[m.end():]
    return tuple(out)


def _next_number(kind: str, number: str) -> str:
    if kind in ("c", "d"):
        return str(int(number) + 1)
    if number in _CN_DIGITS:
        return _CN_DIGITS[_CN_DIGITS.index(number) + 1] if number != "九" else "十"
    return number + "'"  # beyond 九 an inferred sibling is marked rather than guessed


def _component(kind: str, number: str) -> str:
    return f"({number})" if kind in ("b", "d") else number


@lru_cache(maxsize=4096)  # numbering paths repeat across reports
def path_text(path: tuple[tuple[str, str], ...]) -> str:
    return ".".join(_component(k, n) for k, n in path)


def _choose(found: tuple[dict, ...], by_path: dict, rows: list[Row], i: int) -> dict | None:
    """Identical labels under different parents resolve through the parent of rows[i], else the nearest
    ancestor seen among the rows before it."""
    if len(found) <= 1:
        return found[0] if found else None
    parent = _owner(rows[i].path[:-1], by_path)
    if parent:
        direct = [c for c in found if c["parent"] == parent["indicator"]]
        if direct:
            return direct[0]
    for k in range(i - 1, -1, -1):
        code = rows[k].indicator["indicator"] if rows[k].indicator else None
        for c in found:
            if code and code in _ancestors(c):
                return c
    return found[0]


def _fits(found: tuple[dict, ...], parent: dict | None) -> bool:
    """Whether an unnumbered row can sit under `parent`: the catalog agrees, or cannot tell."""
    if not found or parent is None:
        return True
    return any(parent["indicator"] in _ancestors(c) for c in found)


def assign_structure(rows: list[Row]) -> None:
    """Give each row its numbering path and catalog indicator; missing numbers are inferred from siblings."""
    stack: list[tuple[str, str]] = []
    by_path: dict[tuple, Row] = {}
    for i, row in enumerate(rows):
        tokens = enumeration_tokens(row.label)
        found = candidates(row.label)
        if tokens:
            for kind, number in tokens:
                _cut_at_last(stack, kind)
                stack.append((kind, number))
        else:
            stack = _place_unnumbered(stack, found, by_path)
        row.path = tuple(stack)
        row.indicator = _choose(found, by_path, rows, i)
        by_path.setdefault(row.path, row)


def _cut_at_last(stack: list[tuple[str, str]], kind: str) -> None:
    """A number of a kind already open closes that level and every level under it."""
    for k in range(len(stack) - 1, -1, -1):
        if stack[k][0] == kind:
            del stack[k:]
            return


def _owner(path, by_path) -> dict | None:
    """The indicator of the row a path hangs under; a 其中 group belongs to the row before it."""
    path = tuple(path)
    while path and path[-1][0] == "q":
        path = path[:-1]
    row = by_path.get(path) if path else None
    return row.indicator if row else None


def _place_unnumbered(stack, found, by_path):
    """An unnumbered row joins a 其中 group, else follows its sibling, climbing while the catalog disagrees."""
    stack = list(stack)
    while stack and not _fits(found, _owner(stack[:-1], by_path)):
        stack.pop()
    if not stack:
        tops = [p for p in by_path if len(p) == 1]
        if not tops:
            return [("a", "一")]
        kind, number = tops[-1][0]
        return [(kind, _next_number(kind, number))]
    kind, number = stack[-1]
    if kind == "q":
        return stack
    return stack[:-1] + [(kind, _next_number(kind, number))]


# ── finding tables ───────────────────────────────────────────────────────────────────────────────

_SERIAL = re.compile(r"\d{1,3}|[一二三四五六七八九十]{1,3}|[(（](?:\d{1,3}|[一二三四五六七八九十]{1,3})[)）]")
_MARKDOWN_RULE = re.compile(r"^[\s|:\-]+$")
_BLANK_ENDS = "-—/／无－–"  # the last character of a placeholder a PDF row may end in


def _flatten(lines: list[Line]) -> tuple[list[Line], dict[int, str]]:
    """Rows printed as 'cell | cell', 'cell\tcell' or 'label 12 0' (PDF text) become one line per cell, so one
    reader serves them and the cell-per-line copies alike; '' cells are blanks.

    PDF rows are split only after a header printed on one line ('统计指标 单位 统计数'): in other copies a label
    may end in a dash or a number of its own. Page footers are dropped. Also gives the layout of each line so
    split, by line number.
    """
    out, kinds, pdf = [], {}, False
    for line in lines:
        text = line.text
        if "|" in text:
            if _MARKDOWN_RULE.match(text):
                kinds[line.no] = "rule"
                continue
            kind, cells = "pipe", _serial_joined([c.strip() for c in text.strip().strip("|").split("|")])
        elif "\t" in text:
            kind, cells = "tsv", _serial_joined([c.strip() for c in text.split("\t")])
        elif is_page_footer(text):  # a PDF copy's page number, printed among the cells
            continue
        elif pdf and (cells := _pdf_row(text)) or "标" in text and (cells := _one_line_header(text)):
            kind, pdf = "pdf_text", True
        else:
            out.append(line)
            continue
        kinds[line.no] = kind
        out.extend(Line(line.no, cell or " ") for cell in cells)
    return out, kinds


def _serial_joined(cells: list[str]) -> list[str]:
    """A leading 序号 cell is printed numbering, kept as the label's ('3' + '信函申请数' → '3.信函申请数',
    '（一）' + '收到申请数' → '(一)收到申请数'); an empty one before a label, or the 序号 header, is dropped."""
    if len(cells) > 2 and _SERIAL.fullmatch(cells[0]) and cell_text(cells[1]) is None:
        mark = "" if cells[0][0] in "(（" else "." if cells[0].isdigit() else "、"
        return [f"{cells[0]}{mark}{cells[1]}", *cells[2:]]
    if cells and (label_key(cells[0]) == "序号" or cells[0] == "" and len(cells) > 1 and cell_text(cells[1]) is None):
        return cells[1:]
    return cells


def _pdf_row(text: str) -> list[str] | None:
    """'label [unit] 12 0' → its cells; None for a line that does not end in a value after a label."""
    s = text.rstrip()
    if s and (s[-1].isdigit() or s[-1] in _BLANK_ENDS) and " " in s.lstrip():
        return split_cells(s)
    return None


def _one_line_header(text: str) -> list[str] | None:
    """'统计指标 单位 统计数' → its cells; None for any other line."""
    if not text.lstrip().startswith(_LABEL_HEADERS):  # spares long lines (a collapsed table's) the split
        return None
    tokens = text.split()
    if len(tokens) > 1 and tokens[0] in _LABEL_HEADERS and all(map(_is_header_word, tokens[1:])):
        return tokens
    return None


def _is_header_word(text: str) -> bool:
    key = label_key(text)
    return key in _UNIT_HEADERS or key == _CODE_HEADER or key in _COLUMN_LETTERS or bool(_VALUE_HEADER.fullmatch(key))


def _is_label_header(text: str) -> bool:
    # Both headers hold 标 and no other character normalises to it: other lines skip the key. The key is not
    # the cached label_key: most lines holding 标 are prose (目标, 标准), which would fill its cache for good.
    return "标" in text and text_key(text) in _LABEL_HEADERS


def _read_header(lines: list[Line], start: int) -> tuple[TableSpec, int]:
    """Column names after the label header, up to the first row; the 甲乙丙/1 2 letter row is skipped."""
    spec, i = TableSpec(columns=[], has_unit=False), start + 1
    while i < len(lines):
        key = label_key(lines[i].text)
        if key == "":
            i += 1
        elif key in _UNIT_HEADERS:
            spec.has_unit, i = True, i + 1
        elif key == _CODE_HEADER:
            spec.has_code, i = True, i + 1
        elif _VALUE_HEADER.fullmatch(key):
            spec.columns.append(key)
            i += 1
        elif key in _COLUMN_LETTERS:
            i += 1
            while i < len(lines) and (label_key(lines[i].text) in _COLUMN_LETTERS or parse_or_none(lines[i].text)):
                i += 1
        else:
            break
    return spec, i


def parse_or_none(text: str) -> float | None:
    try:
        return parse_cell(text)
    except ValueError:
        return None


def _scope_before(lines: list[Line], start: int) -> str | None:
    """The instance name printed between the table title and its header (市本级, 本行政区域)."""
    texts = [label_key(l.text) for l in lines[max(0, start - 6):start]]
    texts = [t for t in texts if t]
    if len(texts) < 2:
        return None
    scope, title = texts[-1], texts[-2]
    if "表" in title and "表" not in scope and len(scope) <= 12 and not _DIGIT.search(scope):
        return scope
    return None


def _stops(lines: list[Line]) -> tuple[list[int], list[int]]:
    """(indices of the lines that end a table body, the label headers among them), in one pass."""
    stops, headers = [], []
    # Every table end holds 注, 统计表 or 。 and every label header holds 标: other lines skip the tests.
    marked = [i for i, line in enumerate(lines)
              if "。" in (text := line.text) or "注" in text or "标" in text or "统计表" in text]
    for i in marked:
        text = lines[i].text.strip()
        # An end marker stays in the key, which then is no label header: test the cheap regex first.
        if text and _TABLE_END.search(text):
            stops.append(i)
        elif _is_label_header(text):
            stops.append(i)
            headers.append(i)
    return stops, headers


def find_cell_tables(lines: list[Line]) -> list[tuple[TableSpec, list[Line]]]:
    """Tables whose header is printed cell by cell: (spec, body lines) for each.

    A body runs from its header to the next stop (a note, a table title, a sentence, the next header).
    """
    stops, headers = _stops(lines)
    tables, resume = [], 0
    for i in headers:
        if i < resume:
            continue  # inside the table before
        spec, body_start = _read_header(lines, i)
        spec.scope, spec.header_line = _scope_before(lines, i), lines[i].no
        k = bisect_left(stops, body_start)
        end = stops[k] if k < len(stops) else len(lines)
        if spec.columns:
            tables.append((spec, lines[body_start:end]))
        resume = end
    return tables


def find_collapsed_tables(lines: list[Line]) -> list[tuple[TableSpec, list[Row], str]]:
    """Tables run together inside one line: (spec, rows with digit runs, the text before the table)."""
    found = []
    for line in lines:
        # Both label headers hold '指标' at most two characters in, so no match starts before that.
        at = line.text.find("指标")
        m = _COLLAPSED_HEADER.search(line.text, max(0, at - 2)) if at >= 0 else None
        if not m or not _DIGIT.search(line.text, m.end()):
            continue
        columns = [c for c in _VALUE_HEADER.findall(m.group("cols"))]
        spec = TableSpec(columns, has_unit=bool(m.group("unit")), has_code=bool(m.group("code")))
        rows = [Row(r.label, r.line, unit=r.unit, runs=r.runs) for r in read_collapsed(line.text[m.end():], line.no)]
        found.append((spec, rows, line.text[: m.start()]))
    return found


# ── values ───────────────────────────────────────────────────────────────────────────────────────

def _unit_code_rest(cells: list[Cell], spec: TableSpec) -> tuple[str, str, list[Cell]]:
    """A row's printed unit, code and value cells (the unit and code cells are sometimes printed, sometimes not);
    the value cells may still hold extra leading ones."""
    width, code, unit, rest = len(spec.columns), "", "", []
    for c in cells:
        if c.text not in UNIT_WORDS:
            rest.append(c)
        elif not unit:
            unit = c.text
    if spec.has_unit and not unit and len(rest) > width and rest[0].is_blank:
        rest = rest[1:]  # the unit cell printed blank
    if spec.has_code and len(rest) > width:
        code, rest = rest[0].text, rest[1:]  # codes identify rows; they are never values
    while len(rest) > width and rest[-1].is_blank:
        rest = rest[:-1]
    return unit, code, rest


def fill_cells(row: Row, spec: TableSpec, problems: list[str]) -> None:
    row.unit, row.code, cells = _unit_code_rest(row.cells or [], spec)
    width = len(spec.columns)
    cells = cells[-width:]
    row.blank = all(c.is_blank for c in cells)
    if cells and len(cells) < width:
        # Which column each printed cell belongs to is unknown: the row keeps its cells, all of them empty.
        if not row.blank:  # a blank row printed short ('---- | |||') loses nothing
            problems.append(f"legacy table: row '{_printed(row.label)}' has {len(cells)} cells for "
                            f"{width} columns; its cells are left empty")
        row.values, row.raws, row.lines = [None] * width, [""] * width, [row.line] * width
        return
    unreadable = []
    for cell in cells:
        try:
            value = parse_cell(cell.text)
        except ValueError:
            value = None
            if not cell.is_blank:  # a run of dashes is a blank parse_cell does not know
                unreadable.append(cell.text)
        row.values.append(value)
        row.raws.append(cell.text)
        row.lines.append(cell.line)
    if unreadable:
        texts = "、".join(f"「{raw}」" for raw in dict.fromkeys(unreadable))
        problems.append(f"legacy table: row 「{_printed(row.label)}」: cells {texts} are not numbers; left empty")


# ── cells the layout took for labels ─────────────────────────────────────────────────────────────

@lru_cache(maxsize=1)
def _heading_codes() -> frozenset[str]:
    """The rows the catalog notes as header rows: they print no value of their own."""
    return frozenset(r["indicator"] for r in catalog.indicators(table=TABLE, template="legacy")
                     if r["note"].startswith("header row"))


def _expects_value(label: str) -> bool:
    found = candidates(label)
    return bool(found) and not any(c["indicator"] in _heading_codes() for c in found)


def _names_nothing(label: str) -> bool:
    """Whether a label line that names no catalog row names no column either and carries no numbering ('×')."""
    return not enumeration_tokens(label) and not _is_header_word(label)


def given_back_cells(rows: list[Row], spec: TableSpec) -> list[Row]:
    """Rows with the cells the layout took for labels given back.

    A row the catalog expects a value of, followed by lines that name nothing and that its cells leave room for
    (a blank unit cell gives way): those lines are its cells, printed as neither numbers nor placeholders. Without
    them its value would vanish: the row would read as a blank heading and the cell as a row of its own.
    """
    if all(map(candidates, [row.label for row in rows])):
        return rows  # most tables: every line names a row
    width, out = len(spec.columns), rows[:1]
    for row in rows[1:]:
        prev = out[-1]
        if not candidates(row.label) and _names_nothing(row.label) and _expects_value(prev.label):
            cells = [*(prev.cells or ()), Cell(row.label.strip(), row.line), *(row.cells or ())]
            if len(_unit_code_rest(cells, spec)[2]) <= width:
                prev.cells = cells
                continue
        out.append(row)
    return out


def prose_numbers(text: str, phrases: list[str]) -> set[float]:
    """Numbers the prose states right after a row's concept ('主动公开政府信息2122条')."""
    found = set()
    for phrase in phrases:
        for m in re.finditer(re.escape(phrase) + r"[^\d。;；,，]{0,3}?(\d+(?:\.\d+)?)", text):
            found.add(float(m.group(1)))
    return found


def _phrases(row: Row) -> list[str]:
    names = [strip_enumeration(row.label)]
    if row.indicator:
        names += [row.indicator["label"], *filter(None, row.indicator["aliases"].split("|"))]
    stems = {_COUNT_SUFFIX.sub("", _note_free(strip_enumeration(n))) for n in names}
    return sorted(s for s in stems if len(s) >= 4)


@lru_cache(maxsize=1024)  # a handful of printed headers
def _column_kinds(columns: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """(cumulative, period) column indices."""
    cumulative = [i for i, c in enumerate(columns) if _CUMULATIVE.search(c)]
    return cumulative, [i for i in range(len(columns)) if i not in cumulative]


@lru_cache(maxsize=1024)  # a handful of printed headers
def _cumulative_pairs(columns: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(cumulative, period) column index pairs: a cumulative cell is never below a period cell."""
    cumulative, period = _column_kinds(columns)
    return tuple((j, i) for j in cumulative for i in period)


def _guaranteed(splits: list[tuple[int, ...]], spec: TableSpec, parent: Row | None) -> list[tuple[int, ...]]:
    """The splits that keep cumulative columns ≥ the period's and a 其中 row ≤ its parent, column by column."""
    pairs = _cumulative_pairs(tuple(spec.columns))
    bound = parent.values if parent and len(parent.values) == len(spec.columns) else None
    return [split for split in splits if _keeps(split, pairs, bound)]


def _keeps(split: tuple[int, ...], pairs: tuple[tuple[int, int], ...], bound: list | None) -> bool:
    for j, i in pairs:
        if split[j] < split[i]:
            return False
    for v, b in zip(split, bound or ()):
        if b is not None and v > b:
            return False
    return True


def split_runs(row: Row, spec: TableSpec, parent: Row | None, prose: str, problems: list[str]) -> None:
    """Split a collapsed row's digits into its cells; where the report leaves several splits, None and say so."""
    width, runs = len(spec.columns), list(row.runs or [])
    if spec.has_code and runs and len(runs[0]) > 2:
        row.code, runs[0] = runs[0][:2], runs[0][2:]
    if len(runs) == width:
        splits = [tuple(int(r) if r.isdigit() else float(r) for r in runs)]
    elif len(runs) == 1 and runs[0].isdigit():
        splits = _guaranteed(digit_splits(runs[0], width, MAX_CELL_DIGITS), spec, parent)
        if len(splits) > 1:
            splits = _stated_in_prose(splits, row, spec, prose)
    else:
        splits = []
    row.lines = [row.line] * width
    if len(splits) == 1:
        row.values = [float(v) for v in splits[0]]
        row.raws = [str(v) for v in splits[0]]
        return
    row.values, row.raws = [None] * width, ["".join(runs)] * width
    reason = "split several ways" if splits else "fit no split"
    problems.append(f"legacy table: the digits '{''.join(runs)}' of row '{_printed(row.label)}' {reason} into "
                    f"{' / '.join(spec.columns)} and nothing in the report settles it; the cells were left blank")


def _stated_in_prose(splits: list[tuple[int, ...]], row: Row, spec: TableSpec, prose: str) -> list[tuple[int, ...]]:
    """The splits whose first period cell the prose states for the row; all of them when none is."""
    period = next(iter(_column_kinds(tuple(spec.columns))[1]), None)
    if period is None:
        return splits
    stated = prose_numbers(prose, _phrases(row))
    return [s for s in splits if s[period] in stated] or splits


@lru_cache(maxsize=16384)  # printed labels repeat across reports
def _printed(label: str) -> str:
    return _SPACES.sub("", label)


def _subset_parent(row: Row, rows_by_path: dict) -> Row | None:
    """The row a 其中 row belongs to (only 其中 promises child ≤ parent)."""
    path = list(row.path)
    while path and path[-1][0] != "q":
        path.pop()
    if not path:
        return None
    return rows_by_path.get(tuple(path[:-1]))


# ── rows out ─────────────────────────────────────────────────────────────────────────────────────

@lru_cache(maxsize=16384)  # printed labels repeat across reports
def _unit_in_label(label: str) -> str:
    """Some forms print the unit inside the label: '主动公开信息数(条)'."""
    m = _UNIT_NOTE.search(label_key(label))
    return m.group(1) if m and m.group(1) in UNIT_WORDS else ""


def _has_children(rows: list[Row], i: int) -> bool:
    return i + 1 < len(rows) and rows[i + 1].path[: len(rows[i].path)] == rows[i].path \
        and len(rows[i + 1].path) > len(rows[i].path)


def statistics_rows(rows: list[Row], spec: TableSpec, problems: list[str]) -> list[dict]:
    out, columns = [], spec.columns if len(spec.columns) > 1 else [None] * len(spec.columns)
    for i, row in enumerate(rows):
        if row.blank and (_has_children(rows, i) or not row.indicator):
            continue  # a heading: its children carry the numbers
        if not row.indicator and any(v is not None for v in row.values):
            problems.append(f"legacy table: row '{_printed(row.label)}' matches no catalog indicator; "
                            "its values are kept as 'unmapped'")
        code = row.indicator["indicator"] if row.indicator else UNMAPPED
        unit = row.unit or _unit_in_label(row.label) or (row.indicator["unit"] if row.indicator else "") or "件"
        row_path, label = row.code or path_text(row.path), _printed(row.label)
        for j, value in enumerate(row.values):
            out.append({
                "table": TABLE, "scope": spec.scope, "row_path": row_path, "indicator": code,
                "label": label, "column": columns[j],
                "unit": unit, "value": value, "value_raw": row.raws[j], "source_line": row.lines[j],
            })
    return out


def _table_rows(rows: list[Row], spec: TableSpec, prose: str, problems: list[str]) -> list[dict]:
    assign_structure(rows)
    by_path: dict[tuple, Row] = {}
    for row in rows:
        if row.runs is not None:
            split_runs(row, spec, _subset_parent(row, by_path), prose, problems)
        else:
            fill_cells(row, spec, problems)
        by_path.setdefault(row.path, row)
    return statistics_rows(rows, spec, problems)


def _layout(kinds: dict[int, str], header_line: int) -> str:
    """The contract's name for how a table was printed, from how _flatten split its header line."""
    kind = kinds.get(header_line, "cells_per_line")
    if kind == "pipe" and kinds.get(header_line + 1) == "rule":
        return "markdown"  # a pipe table with a '|---|' rule under its header
    return kind


def parse_tables(doc):
    from pipeline.parse import TablesResult

    lines, kinds = _flatten(doc.lines)
    result = TablesResult()
    cell_tables = find_cell_tables(lines)
    if cell_tables:
        result.layout = "html" if doc.is_html else _layout(kinds, cell_tables[0][0].header_line)
        for spec, body in cell_tables:
            rows = given_back_cells([Row(r.label, r.line, cells=r.cells) for r in read_rows(body)], spec)
            result.rows += _table_rows(rows, spec, "", result.problems)
        return result
    for spec, rows, before in find_collapsed_tables(doc.lines):
        result.layout = "collapsed"
        prose = before + "\n".join(l.text for l in doc.lines if l.no != rows[0].line) if rows else before
        result.rows += _table_rows(rows, spec, prose, result.problems)
    return result
