"""Standard-template (std2019 / std2021) tables 二, 三, 四 → statistics rows."""
from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pipeline import catalog
from pipeline.labels import drop_enumeration, enumeration_of, label_key, strip_enumeration, text_key
from pipeline.layouts.detect import read
from pipeline.layouts.model import Row, is_blank, relabelled, without_note
from pipeline.numbers import parse_cell
from pipeline.read import Line
from pipeline.splits import block_sum_splits, digit_splits, sum_splits

MAX_JOINT_SPLITS = 20000  # bound on the joint enumeration of ambiguous collapsed rows
MAX_CELL_DIGITS = 5  # average cell width beyond which a run is not enumerated (real rows stay far below)


@dataclass(frozen=True)
class RowSpec:
    indicator: str
    row_path: str
    label: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class ColSpec:
    code: str
    label: str
    unit: str
    rows: frozenset[str]  # indicators the column applies to; empty = every row
    cues: str  # regex of words that name the column in prose and cell notes


_NON_WORD = re.compile(r"[^\w]")
_SPACES = re.compile(r"\s+")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_PADDED = re.compile(r"0\d")


@lru_cache(maxsize=16384)  # printed labels repeat across reports
def match_key(text: str) -> str:
    """Label key without numbering or punctuation: '1. 申请人…补正, 行政机关…' ≍ '申请人…补正、行政机关…'."""
    return _NON_WORD.sub("", strip_enumeration(label_key(text)))


def _clause_key(clause: str) -> str:
    """match_key of a prose clause, uncached: clauses do not repeat across reports (label_key is idempotent)."""
    return _NON_WORD.sub("", drop_enumeration(text_key(clause)))


@lru_cache(maxsize=None)  # the catalog is fixed for a run: build each template's specs once
def row_specs(table: str, template: str) -> tuple[RowSpec, ...]:
    specs = []
    for r in catalog.indicators(table, template):
        names = [r["label"]] + [a for a in r["aliases"].split("|") if a]
        specs.append(RowSpec(r["indicator"], r["row_path"], r["label"], tuple(match_key(n) for n in names)))
    return tuple(specs)


@lru_cache(maxsize=None)
def col_specs(table: str, template: str) -> tuple[ColSpec, ...]:
    return tuple(ColSpec(c["column_code"], c["column"], c["unit"], frozenset(c.get("rows", "").split()), c.get("cues", ""))
                 for c in catalog.columns(table, template))


@lru_cache(maxsize=None)
def widest_row(table: str, template: str) -> int:
    """The most cells a row of the table prints."""
    return max(len(columns_for(table, template, s.indicator)) for s in row_specs(table, template))


@lru_cache(maxsize=None)  # a catalog lookup: once per template row, not per printed row
def columns_for(table: str, template: str, indicator: str) -> tuple[ColSpec, ...]:
    return tuple(c for c in col_specs(table, template) if not c.rows or indicator in c.rows)


# --------------------------------------------------------------------------- regions of the document

_ZONE_START = re.compile(r"第二十条\s*第\s*[(（]\s*一\s*[)）]\s*项")
_ZONE_START_FALLBACK = re.compile(r"本年新收政府信息公开申请")
# Section 五 or 六 opens; or, where a PDF copy lost the 五、 heading, the first sub-heading under it
# ((一)2024年工作中存在问题的改进情况, (一)存在的主要问题), which opens its line.
_SECTION_END = re.compile(r"[五六]\s*[、.．]\s*(?:政府信息公开工作)?(?:存在|其他需要报告)")
_SUB_HEADING_END = re.compile(r"\s*[(（]一[)）][^。，,]{0,20}存在[^。，,]{0,6}问题")


@dataclass(frozen=True)
class Zone:
    """The lines holding 表二–表四: document[first][start:] up to document[last][:end] (cut inside a line
    for collapsed text)."""
    lines: list[Line]
    document: list[Line]
    first: int
    start: int
    last: int
    end: int

    def prose(self) -> str:
        """The document around the zone, built on demand: only a collapsed 表二 row that splits several ways reads it."""
        doc, first, last = self.document, self.first, self.last
        around = [line.text for line in doc[:first]] + [doc[first].text[:self.start], doc[last].text[self.end:]]
        return "\n".join(around + [line.text for line in doc[last + 1:]])


def table_zone(lines: list[Line]) -> Zone | None:
    """Where 表二–表四 are printed: from the 第二十条第(一)项 caption (else the 本年新收 row) to section 五 or 六."""
    start = _find(lines, "第二十条", _ZONE_START) or _find(lines, "本年新收政府信息公开申请", _ZONE_START_FALLBACK)
    if start is None:
        return None
    (i, pos) = start
    (j, end_pos) = _find_end(lines, i, pos) or (len(lines) - 1, len(lines[-1].text))
    zone = lines[i:j + 1]
    if i == j:
        zone[0] = Line(zone[0].no, zone[0].text[pos:end_pos])
    else:
        zone[0] = Line(zone[0].no, zone[0].text[pos:])
        zone[-1] = Line(zone[-1].no, zone[-1].text[:end_pos])
    return Zone([line for line in zone if line.text], lines, i, pos, j, end_pos)


def _find(lines: list[Line], needle: str, pattern: re.Pattern) -> tuple[int, int] | None:
    """(line index, offset) of the first match; only lines holding the needle, which every match does, are searched."""
    for k, line in enumerate(lines):
        if needle in line.text and (m := pattern.search(line.text)):
            return k, m.start()
    return None


def _find_end(lines: list[Line], first: int, pos: int) -> tuple[int, int] | None:
    """(line index, offset) where the zone ends, searched from line `first` at `pos`.

    Only lines holding 存在 or 其他需要报告 (every zone end does) are searched. The sub-heading can only
    open a line, so it is tested there alone (a search would try it at every position of a long collapsed line).
    """
    for k in range(first, len(lines)):
        text = lines[k].text
        if "存在" in text or "其他需要报告" in text:
            offset = pos if k == first else 0
            if offset == 0 and _SUB_HEADING_END.match(text):
                return k, 0
            if m := _SECTION_END.search(text, offset):
                return k, m.start()
    return None


def _opens_requests(key: str) -> bool:
    return "收到和处理政府信息公开申请" in key or "本年新收政府信息公开申请" in key


def split_tables(rows: list[Row]) -> dict[str, list[Row]]:
    """表二 rows up to the 表三 heading or first 表三 row, 表三 up to the first mention of 行政复议, then 表四.

    Keys are built only up to the 表四 cut: the rows after it (often the report's closing prose) need none.
    """
    t3 = next((k for k, row in enumerate(rows) if _opens_requests(match_key(row.label))), len(rows))
    t4 = next((k for k in range(t3, len(rows)) if "行政复议" in match_key(rows[k].label)), len(rows))
    return {"active_disclosure": rows[:t3], "requests": rows[t3:t4], "review_litigation": rows[t4:]}


# --------------------------------------------------------------------------- row identification

@lru_cache(maxsize=16384)  # printed labels repeat across reports
def candidates(label: str, table: str, template: str) -> tuple[int, ...]:
    """Template rows a printed label can be: exact, else the longest label it ends with, else those it is part of."""
    return _candidates(match_key(label), table, template)


@lru_cache(maxsize=16384)  # keyed on a printed label's key; labels repeat across reports
def _candidates(key: str, table: str, template: str) -> tuple[int, ...]:
    specs = row_specs(table, template)
    if not key:
        return tuple(range(len(specs)))
    exact = [i for i, s in enumerate(specs) if key in s.keys]
    if exact:
        return tuple(exact)
    endings = [(len(k), i) for i, s in enumerate(specs) for k in s.keys if key.endswith(k)]
    if endings:
        longest = max(endings)[0]
        return tuple(sorted({i for n, i in endings if n == longest}))
    if len(key) >= 4:
        return tuple(i for i, s in enumerate(specs) if any(key in k for k in s.keys))
    return ()


def value_rows_with_labels(rows: list[Row], table: str, template: str) -> list[tuple[Row, str]]:
    """Value rows, each with its label; a row printed without one takes the label lines just above it.

    A column header is no value row, though a blank field of a merged cell may follow its names
    (`|  |  | 商业企业 | … | 其他 |  |`).
    """
    out, pending = [], []
    for row in rows:
        if not row.cells or is_column_header(row, table, template):
            pending.append(row.label)
            continue
        out.append((row, row.label or "".join(pending)))
        pending = []
    return out


def is_column_header(row: Row, table: str, template: str) -> bool:
    """Two or more labels, each a column's name, and no number: the last name ('其他') may also be a row's."""
    return (len(row.labels) >= 2 and not row.has_values and not row.collapsed
            and all(match_key(label) in column_keys(table, template) for label in row.labels))


def place_rows(labelled: list[tuple[Row, str]], table: str, template: str, problems: list[str]) -> list[int | None]:
    """Template row index for each value row: unique labels anchor, the template's order fills the gaps."""
    specs = row_specs(table, template)
    cands = [candidates(label, table, template) for _, label in labelled]
    placed: list[int | None] = [c[0] if len(c) == 1 else None for c in cands]
    seen: set[int] = set()
    for k, p in enumerate(placed):
        if p is not None and p in seen:
            problems.append(f"row 「{labelled[k][1]}」 is printed twice; the second copy is ignored")
            placed[k] = None
            cands[k] = ()
        elif p is not None:
            seen.add(p)
    anchors = [-1] + [k for k, p in enumerate(placed) if p is not None] + [len(placed)]
    for a, b in zip(anchors, anchors[1:]):
        if b == a + 1:
            continue  # no row between these anchors
        lo = placed[a] if a >= 0 else -1
        hi = placed[b] if b < len(placed) else len(specs)
        free = [i for i in range(lo + 1, hi) if i not in seen] if lo < hi else []
        gap = [k for k in range(a + 1, b) if cands[k]]
        if gap and len(gap) == len(free) and all(f in cands[k] for k, f in zip(gap, free)):
            for k, f in zip(gap, free):
                placed[k] = f
            continue
        for k in gap:
            fits = [i for i in cands[k] if i in free]
            if len(fits) == 1:
                placed[k] = fits[0]
                seen.add(fits[0])
    for k, p in enumerate(placed):
        row = labelled[k][0]
        if p is None and cands[k] and (row.has_values or row.collapsed or row.unreadable):
            problems.append(f"row 「{labelled[k][1] or row.cells}」 (line {row.line}) "
                            "matches no single template row; its cells are left out")
    return placed


# --------------------------------------------------------------------------- cells the layout took for labels

PRINTED_TABLE_NAMES = {"active_disclosure": "表二", "requests": "表三", "review_litigation": "表四"}


def give_back_cells(rows: list[Row], table: str, template: str, widths: Callable[[str], tuple[int, ...]],
                    fewest: int, most: int, first_label: int = 1) -> list[Row]:
    """with_unreadable_cells of each row the table's row widths (fewest to most cells) leave possible.

    A row is looked at only when it has labels to spare, fewer cells than the widest row (labels joining them
    could only make too many), enough labels and cells together, and a last label that names nothing in the
    table (it would be a cell; a header's names a column): a glance leaves out almost every row, and the closing
    prose is never keyed.
    """
    return [with_unreadable_cells(r, table, template, widths, first_label)
            if len(r.labels) > first_label and len(r.cells) < most
            and len(r.labels) - first_label + len(r.cells) >= fewest
            and not names_table_part(r.labels[-1], table, template) else r for r in rows]


def with_unreadable_cells(row: Row, table: str, template: str, widths: Callable[[str], tuple[int, ...]],
                          first_label: int = 1) -> Row:
    """The row as read; or, when it is a data row some of whose leading cells the layout took for labels (neither
    numbers nor placeholders: '×', '未统计'), the row with those cells given back.

    A data row: its first labels name a template row (widths gives that label the cell counts the table prints for
    it; () for none) and the cells after them fit one of those counts, none of them naming a row or a column of
    the table, as a header's do. A row that fits as read is left as it is. first_label 0 lets a row have no label.
    """
    labels = row.labels
    if len(labels) <= first_label or row.collapsed or _fits(row.cells, widths(row.label)):
        return row
    for j in range(first_label, len(labels)):
        if j and not match_key(labels[j - 1]):
            continue  # a label does not end in a piece naming nothing ('×' keys to '')
        cells = labels[j:] + row.cells
        if _fits(cells, widths("".join(labels[:j]))):
            if any(names_table_part(c, table, template) for c in labels[j:]):
                return row
            return relabelled(row, j)
    return row


def _fits(cells: tuple[str, ...], widths: tuple[int, ...]) -> bool:
    return any(len(fit_cells(cells, n)) == n for n in widths)


@lru_cache(maxsize=16384)  # asked only for cells a layout took for labels, which repeat (×, 自然人 …)
def names_table_part(text: str, table: str, template: str) -> bool:
    """Whether a cell names a row or a column of the table: a header's cell, never a value."""
    key = match_key(text)
    return bool(key) and (bool(_candidates(key, table, template)) or any(key in k for k in column_keys(table, template)))


@lru_cache(maxsize=None)
def column_keys(table: str, template: str) -> tuple[str, ...]:
    return tuple(match_key(name) for c in catalog.columns(table, template)
                 for name in [c["column"], *filter(None, c["aliases"].split("|"))])


def unreadable_problem(table: str, row_label: str, raws: list[str]) -> str:
    texts = "、".join(f"「{raw}」" for raw in dict.fromkeys(raws))
    return f"{PRINTED_TABLE_NAMES[table]} row 「{row_label}」: cells {texts} are not numbers; left empty"


# --------------------------------------------------------------------------- cells

def cell_rows(table: str, spec: RowSpec, cols: list[ColSpec], raws: list[str | None], row_label: str,
              printed: str, line: int, problems: list[str], per_row: bool = False) -> list[dict]:
    """One statistics row per cell of a template row; a cell the print lost (None) or left blank ('') stays empty.

    An unreadable cell is reported by itself, or with the row's others in one problem when per_row (a row whose
    leading cells the layout took for labels).
    """
    # Each cell copies the row's shared fields: a dict copy and four stores cost ~2/3 of a ten-key literal.
    shared = {"table": table, "scope": None, "row_path": spec.row_path, "indicator": spec.indicator,
              "label": printed, "column": None, "unit": None, "value": None, "value_raw": "", "source_line": line}
    out, unreadable = [], []
    for col, raw in zip(cols, raws):
        cell = shared.copy()
        cell["column"] = col.label
        cell["unit"] = col.unit
        if raw:  # a blank cell reads as the defaults: no value, value_raw ''
            readable, cell["value"] = _read_cell(raw)
            cell["value_raw"] = raw
            if not readable and per_row:
                unreadable.append(raw)
            elif not readable:
                problems.append(f"cell 「{row_label}」/{col.label} reads 「{raw}」, not a number; left empty")
        out.append(cell)
    if unreadable:
        problems.append(unreadable_problem(table, row_label, unreadable))
    return out


@lru_cache(maxsize=16384)  # cell texts (0, 1, 12 …) repeat over and over
def _read_cell(raw: str) -> tuple[bool, float | None]:
    """(readable, value): a cell printed with a note is read without it."""
    try:
        return True, parse_cell(without_note(raw))
    except ValueError:
        return False, None


def fit_cells(cells: tuple[str, ...], n: int, leading_first: bool = False) -> tuple[str, ...]:
    """Drop blank cells a layout adds at the end of a row; keep the last n when a row has extra leading blanks.

    A row blank at both ends is cut at the end first, unless leading_first: the table's rows print their extra
    blanks in front (the empty fields of a label spanning columns in a spreadsheet export).
    """
    if len(cells) <= n:
        return cells
    cells = list(cells)
    if leading_first:
        while len(cells) > n and is_blank(cells[0]):
            cells.pop(0)
    while len(cells) > n and is_blank(cells[-1]):
        cells.pop()
    while len(cells) > n and is_blank(cells[0]):
        cells.pop(0)
    return tuple(cells)


def extra_blanks_lead(rows: list[Row], n: int) -> bool:
    """Whether the table's rows of more than n cells print their extra blanks in front rather than at the end,
    as told by the rows that can be cut at one end only."""
    front = back = 0
    for row in rows:
        cells = row.cells
        if len(cells) > n and not row.collapsed:
            first, last = is_blank(cells[0]), is_blank(cells[-1])
            front += first and not last
            back += last and not first
    return front > back


_MARKER = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．]")


def printed_label(label: str, spec: RowSpec) -> str:
    """The row's own label as printed, numbering dropped; cut off a fused group label ('(三)不予公开1.属于…').

    The template's label when the print broke the row's label apart.
    """
    return _printed_label(label, spec.keys, spec.label)


@lru_cache(maxsize=16384)  # printed labels repeat across reports; keyed on strings, which hash fast
def _printed_label(label: str, keys: tuple[str, ...], template_label: str) -> str:
    text = _SPACES.sub("", label)
    for start in [0] + [m.start() for m in _MARKER.finditer(text)]:
        if match_key(text[start:]) in keys:
            return _drop_numbering(text[start:])
    return template_label


def _drop_numbering(text: str) -> str:
    while numbering := enumeration_of(text):
        text = text[len(numbering):]
    return text


# --------------------------------------------------------------------------- prose evidence

_CLAUSE_MARKS = "，。；;,"  # and the line break
_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*件")
_STATES_COUNT = re.compile(r"\d\s*件")  # matches where _COUNT does (at its last digit), found sooner


class ProseEvidence:
    """What the prose states for 表二 cells; its clauses are read at the first question, which most reports never ask
    (only a collapsed row that splits several ways does)."""

    def __init__(self, prose: Callable[[], str], cols: list[ColSpec]):
        self._prose, self._cols = prose, cols
        self._clauses: list[tuple[str, str]] | None = None

    def numbers(self, spec: RowSpec, col: ColSpec) -> set[float]:
        if not col.cues:
            return set()
        if self._clauses is None:
            self._clauses = prose_clauses(self._prose(), self._cols)
        return prose_numbers(self._clauses, spec, col)


def prose_numbers(clauses: list[tuple[str, str]], spec: RowSpec, col: ColSpec) -> set[float]:
    """Numbers the prose states for one cell: a clause naming the row and the column's cue word."""
    if not col.cues:
        return set()
    found = set()
    for key, matched in clauses:
        if any(k and k in matched for k in spec.keys) and re.search(col.cues, key):
            found.update(float(m.group(1)) for m in _COUNT.finditer(key))
    return found


def prose_clauses(prose: str, cols: list[ColSpec]) -> list[tuple[str, str]]:
    """(clause without spaces, its match key) for each clause of the prose that states a count and names a column.

    Any other clause gives prose_numbers nothing, so it is dropped before its match key is built.
    """
    cues = _any_cue(tuple(c.cues for c in cols if c.cues))
    if cues is None:
        return []
    keys = [_SPACES.sub("", clause) for clause in _clauses(prose) if "件" in clause and _STATES_COUNT.search(clause)]
    return [(key, _clause_key(key)) for key in keys if cues.search(key)]


def _clauses(prose: str) -> list[str]:
    """The prose cut at every clause mark and line break (str.replace and str.split run in C, a regex split
    tests every character)."""
    for mark in _CLAUSE_MARKS:
        prose = prose.replace(mark, "\n")
    return prose.split("\n")


@lru_cache(maxsize=64)  # one per template
def _any_cue(cues: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{c})" for c in cues)) if cues else None


def filter_by_prose(splits: list[tuple], evidence: list[set[float]]) -> list[tuple]:
    """Keep splits whose cells equal what the prose states; failing that, those of the stated magnitude."""
    for pos, stated in enumerate(evidence):
        if not stated or len(splits) <= 1:
            continue
        exact = [s for s in splits if s[pos] in stated]
        splits = exact or [s for s in splits if any(len(str(s[pos])) == len(str(int(v))) for v in stated)] or splits
    return splits


def split_run(run: str, n: int) -> list[tuple]:
    if n == 1:
        return [(float(run),)] if _DECIMAL.fullmatch(run) and not _PADDED.match(run) else []
    if "." in run or len(run) > n * MAX_CELL_DIGITS:
        return []
    return digit_splits(run, n)


# --------------------------------------------------------------------------- 表二

def parse_active_disclosure(rows: list[Row], template: str, prose: Callable[[], str], problems: list[str]) -> list[dict]:
    table = "active_disclosure"
    specs, cols = row_specs(table, template), col_specs(table, template)
    labelled = [(r, r.label) for r in rows if r.cells]
    detached = [r.cells[0] for r, label in labelled if not label and len(r.cells) == 1]
    unplaced = unplaced_cells(detached, [r for r, label in labelled if label])
    lost_cols = {c.code for raw in unplaced for c in cols if c.cues and re.search(c.cues, raw)}

    def widths(label: str) -> tuple[int, ...]:
        """The cell counts the row a label names prints: all its columns, or those not printed apart."""
        cands = candidates(label, table, template)
        if len(cands) != 1:
            return ()
        row_cols = columns_for(table, template, specs[cands[0]].indicator)
        lost = sum(c.code in lost_cols for c in row_cols)
        return (len(row_cols), len(row_cols) - lost) if lost else (len(row_cols),)

    rows = give_back_cells(rows, table, template, widths, 1, widest_row(table, template))
    found = [(r, r.label, candidates(r.label, table, template)) for r in rows if r.cells and r.label]
    evidence = ProseEvidence(prose, cols)
    out = []
    for row, label, cands in found:
        if len(cands) != 1:
            continue
        spec = specs[cands[0]]
        row_cols = columns_for(table, template, spec.indicator)
        values = assign_cells(row, spec, row_cols, lost_cols, evidence, problems)
        out += cell_rows(table, spec, row_cols, values, label, printed_label(label, spec), row.line, problems,
                         row.unreadable)
    for raw in unplaced:
        problems.append(f"表二 cell 「{raw}」 is printed apart from its row and cannot be placed")
    return out


def unplaced_cells(detached: list[str], labelled_rows: list[Row]) -> list[str]:
    """The cells printed apart from their row (no label) whose value no labelled row prints as well."""
    if not detached:
        return []
    printed_values = {without_note(c) for row in labelled_rows for c in row.cells}
    return [raw for raw in detached if without_note(raw) not in printed_values]


def assign_cells(row: Row, spec: RowSpec, cols: list[ColSpec], lost_cols: set[str], evidence: ProseEvidence,
                 problems: list[str]) -> list[str | None]:
    """The row's cells in template column order; None where the print lost or blurred a cell."""
    n = len(cols)
    if row.collapsed:
        splits = split_run(row.cells[0], n)
        if len(splits) > 1:  # filter_by_prose leaves a single split as it is
            splits = filter_by_prose(splits, [evidence.numbers(spec, c) for c in cols])
        if len(splits) == 1:
            return [_fmt(v) for v in splits[0]]
        problems.append(f"row 「{spec.label}」 runs its cells together ({row.cells[0]}) and {len(splits)} splits fit; "
                        "its cells are left empty")
        return [None] * n
    cells = fit_cells(row.cells, n)
    if len(cells) == n:
        return list(cells)
    missing = [c for c in cols if c.code in lost_cols]
    if len(cells) < n and len(missing) == n - len(cells):
        it = iter(cells)
        for c in missing:
            problems.append(f"cell 「{spec.label}」/{c.label} was lost from its row in the source text; left empty")
        return [None if c.code in lost_cols else next(it) for c in cols]
    problems.append(f"row 「{spec.label}」 prints {len(cells)} cells for {n} columns; its cells are left empty")
    return [None] * n


def _fmt(v: float) -> str:
    if isinstance(v, int):  # what the digit splitters give
        return str(v)
    return str(int(v)) if float(v).is_integer() else str(v)


# --------------------------------------------------------------------------- 表三

def parse_requests(rows: list[Row], template: str, problems: list[str]) -> list[dict]:
    table = "requests"
    specs, cols = row_specs(table, template), col_specs(table, template)
    widths = (len(cols),)

    def label_widths(label: str) -> tuple[int, ...]:
        return widths if match_key(label) else ()  # a label of '×' pieces names nothing

    rows = give_back_cells(rows, table, template, label_widths, len(cols), len(cols))
    labelled = value_rows_with_labels(rows, table, template)
    placed = place_rows(labelled, table, template, problems)
    cells_by_row: dict[int, tuple[Row, str, list[str | None]]] = {}
    runs: dict[int, list[tuple]] = {}
    leading_first = extra_blanks_lead(rows, len(cols))
    for (row, label), p in zip(labelled, placed):
        if p is None or p in cells_by_row:
            continue
        if row.collapsed:
            run = row.cells[0]
            runs[p] = sum_splits(run, len(cols)) if len(run) <= len(cols) * MAX_CELL_DIGITS else []
            cells_by_row[p] = (row, label, [None] * len(cols))
            continue
        cells = fit_cells(row.cells, len(cols), leading_first)
        if len(cells) != len(cols):
            problems.append(f"row 「{label}」 prints {len(cells)} cells for {len(cols)} columns; its cells are left empty")
            cells = (None,) * len(cols)
        cells_by_row[p] = (row, label, list(cells))
    for p, split in resolve_requests(runs, specs, problems).items():
        if split is not None:
            cells_by_row[p] = (cells_by_row[p][0], cells_by_row[p][1], [_fmt(v) for v in split])
    out = []
    for p in sorted(cells_by_row):
        row, label, cells = cells_by_row[p]
        out += cell_rows(table, specs[p], cols, cells, label, printed_label(label, specs[p]), row.line, problems,
                         row.unreadable)
    return out


def resolve_requests(runs: dict[int, list[tuple]], specs: list[RowSpec], problems: list[str]) -> dict[int, tuple | None]:
    """Pick each collapsed row's split with the template's guarantees; None where several still fit."""
    if not runs:
        return {}
    index = {s.indicator: i for i, s in enumerate(specs)}
    outcome_rows = {i for i, s in enumerate(specs)
                    if s.row_path.startswith("三.三.") and s.indicator != "req_processed_total"}
    fixed = {p: s[0] for p, s in runs.items() if len(s) == 1}
    open_rows = [p for p, s in runs.items() if len(s) > 1]
    size = 1
    for p in open_rows:
        size *= len(runs[p])
    survivors = []
    if open_rows and size <= MAX_JOINT_SPLITS:
        for combo in itertools.product(*(runs[p] for p in open_rows)):
            if requests_consistent({**fixed, **dict(zip(open_rows, combo))}, index, outcome_rows):
                survivors.append(combo)
    result: dict[int, tuple | None] = dict(fixed)
    for k, p in enumerate(open_rows):
        choices = {combo[k] for combo in survivors}
        result[p] = choices.pop() if len(choices) == 1 else None
        if result[p] is None:
            problems.append(f"row 「{specs[p].label}」 runs its cells together and {len(runs[p])} splits satisfy "
                            "the row total; the table's identities do not single one out, so its cells are left empty")
    for p, s in runs.items():
        if not s:
            result[p] = None
            problems.append(f"row 「{specs[p].label}」 runs its cells together and no split gives its 总计; left empty")
    return result


def requests_consistent(values: dict[int, tuple], index: dict[str, int], outcome_rows: set[int]) -> bool:
    """T3-1 (一 + 二 = （七） + 四, per column) and every outcome cell (rows 三.三.*) ≤ its column's （七）总计."""
    rec, carried, total, forward = (values.get(index.get(name, -1)) for name in
                                    ("req_received", "req_carried_over", "req_processed_total", "req_carried_forward"))
    if not any(v is None for v in (rec, carried, total, forward)):
        if any(a + b != c + d for a, b, c, d in zip(rec, carried, total, forward)):
            return False
    return total is None or all(all(map(operator.le, values[p], total)) for p in outcome_rows if p in values)


# --------------------------------------------------------------------------- 表四

def parse_review_litigation(rows: list[Row], template: str, problems: list[str]) -> list[dict]:
    table = "review_litigation"
    blocks, cols = row_specs(table, template), col_specs(table, template)
    n = len(cols)
    widths = (n * len(blocks), n)

    def block_widths(label: str) -> tuple[int, ...]:
        return widths if not label or block_named(label, template) is not None else ()

    filled: dict[int, tuple[Row, list[str | None]]] = {}
    labels_since_values: list[str] = []
    for row in give_back_cells(rows, table, template, block_widths, n, n * len(blocks), first_label=0):
        labels_since_values.append(row.label)
        if not row.cells or not (row.has_values or row.collapsed or row.unreadable):
            continue
        title = _last_block_named(labels_since_values, template)
        labels_since_values = []
        cells = block_cells(row, n, len(blocks), title is not None, problems)
        if len(cells) == n * len(blocks):
            for b in range(len(blocks)):
                filled.setdefault(b, (row, cells[b * n:(b + 1) * n]))
        elif len(cells) == n:
            b = title if title is not None and title not in filled else next(
                (i for i in range(len(blocks)) if i not in filled), None)
            if b is not None:
                filled[b] = (row, cells)
        else:
            problems.append(f"表四 row (line {row.line}) prints {len(cells)} cells, not {n} or {n * len(blocks)}; "
                            "left out")
    out = []
    for b in sorted(filled):
        row, cells = filled[b]
        out += cell_rows(table, blocks[b], cols, cells, blocks[b].label, blocks[b].label, row.line, problems,
                         row.unreadable)
    return out


def _last_block_named(labels: list[str], template: str) -> int | None:
    """The block named by the latest of a value row's labels and those printed since the previous value row.

    Looked up from the last label back, so labels after the last value row (closing prose) are never keyed.
    """
    return next((b for label in reversed(labels) if (b := block_named(label, template)) is not None), None)


def block_named(label: str, template: str) -> int | None:
    """The one 表四 block (复议, 未经复议诉讼, 复议后诉讼) a label names, if it names exactly one."""
    return _block_named(match_key(label), template)


@lru_cache(maxsize=16384)  # keyed on a printed label's key; labels repeat across reports
def _block_named(key: str, template: str) -> int | None:
    named = [i for i, b in enumerate(row_specs("review_litigation", template)) if any(k in key for k in b.keys)]
    return named[0] if len(named) == 1 else None


def block_cells(row: Row, n: int, blocks: int, titled: bool, problems: list[str]) -> list[str | None]:
    if not row.collapsed:
        cells = list(row.cells)
        for size in (n * blocks, n):
            fitted = fit_cells(row.cells, size)
            if len(fitted) == size:
                return list(fitted)
        return cells
    run = row.cells[0]
    size = n if titled else n * blocks
    splits = [] if len(run) > size * MAX_CELL_DIGITS else (
        sum_splits(run, n) if titled else block_sum_splits(run, blocks, n))
    if len(splits) == 1:
        return [_fmt(v) for v in splits[0]]
    problems.append(f"表四 runs its cells together ({run}) and {len(splits)} splits give every block its 总计; "
                    "its cells are left empty")
    return [None] * (n if titled else n * blocks)


# --------------------------------------------------------------------------- entry point

def parse_tables(doc, template):
    from pipeline.parse import TablesResult

    zone = table_zone(doc.lines)
    if zone is None:
        return TablesResult(problems=["no 表二/表三/表四 found (no 第二十条 caption, no 本年新收 row)"])
    layout, rows = read(zone.lines, doc.is_html)
    tables = split_tables(rows)
    problems: list[str] = []
    out = parse_active_disclosure(tables["active_disclosure"], template, zone.prose, problems)
    out += parse_requests(tables["requests"], template, problems)
    out += parse_review_litigation(tables["review_litigation"], template, problems)
    return TablesResult(rows=out, layout=layout, problems=problems)
