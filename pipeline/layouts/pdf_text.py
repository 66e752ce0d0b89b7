"""PDF-extracted text: label lines ending in space-separated numbers, pipe fragments, page footers, wrapped labels."""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.layouts import pipe
from pipeline.layouts.cells_per_line import UNIT_WORDS
from pipeline.layouts.model import Row, is_number, is_value, row_from_stripped, text_row

_DASHES = "—-–－"
# A page number printed as a line of its own: — 5 —, -5-, 第5页, 第 5 页 共 9 页, 共9页 第5页.
PAGE_FOOTER = re.compile(rf"^(?:[{re.escape(_DASHES)}]+\s*\d+\s*[{re.escape(_DASHES)}]+"
                         r"|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页\s*[,，/]?\s*第\s*\d+\s*页)$")
_FOOTER_STARTS = _DASHES + "第共"
_SINGLE_CJK = re.compile(r"^[\u4e00-\u9fff]$")
_NOTE_LINE = re.compile(r"^[(（][^()（）]*[)）]$")


def is_page_footer(text: str) -> bool:
    text = text.strip()
    # A footer opens with a dash, 第 or 共: other lines skip the regex.
    return text != "" and text[0] in _FOOTER_STARTS and bool(PAGE_FOOTER.match(text))


def _is_noise(text: str) -> bool:
    """A page footer, a lone character split off a broken line, or a markdown rule (text is stripped, not empty)."""
    if len(text) == 1:  # too short for a footer or a rule
        return bool(_SINGLE_CJK.match(text))
    return is_page_footer(text) or pipe.is_separator(text)


def plain_row(text: str, line: int) -> Row | None:
    """'行政许可 0' → label + values: a label line ends at its trailing run of numbers (formats §5.5)."""
    tokens = text.split()
    cut = len(tokens)
    while cut > 0 and is_value(tokens[cut - 1]) and tokens[cut - 1].strip():
        cut -= 1
    if cut == len(tokens):
        return text_row(text, line)
    label = "".join(tokens[:cut])
    return Row((label,) if label else (), tuple(tokens[cut:]), line)


def split_cells(text: str) -> list[str] | None:
    """'label [unit] 12 0' → ['label', 'unit', '12', '0']; None for a line that ends in no value after a label.

    A label line ends at its trailing run of values (formats §5.5); a unit word just before that run is the
    unit cell. Label tokens are joined by a space (label keys ignore it).
    """
    tokens = text.split()
    cut = len(tokens)
    while cut > 1 and is_value(tokens[cut - 1]):
        cut -= 1
    if cut == len(tokens) or not tokens:
        return None
    if cut > 1 and tokens[cut - 1] in UNIT_WORDS:
        cut -= 1
    return [" ".join(tokens[:cut]), *tokens[cut:]]


def _is_lone_number_row(row: Row) -> bool:
    return not row.labels and len(row.cells) == 1 and is_number(row.cells[0])


def read_rows(lines: Iterable) -> list[Row]:
    rows: list[Row] = []
    for line in lines:
        text = line.text.strip()
        if not text or _is_noise(text):
            continue
        if text[0] in "(（" and rows and _is_lone_number_row(rows[-1]) and _NOTE_LINE.match(text):
            # A cell's note wrapped onto its own line: '22' then '（其中修订16件）'.
            rows[-1] = Row((), (rows[-1].cells[0] + text,), rows[-1].line)
            continue
        cells = pipe.pipe_cells(text)
        row = plain_row(text, line.no) if cells is None else row_from_stripped(cells, line.no)
        if row:
            rows.append(row)
    return rows
