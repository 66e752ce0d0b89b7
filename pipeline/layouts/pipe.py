"""Pipe rows (`a | b | c`) and markdown tables: one row per line, `|` between cells."""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.layouts.model import Row, row_from_stripped, text_row

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def is_separator(text: str) -> bool:
    # Every separator holds a '--': other lines skip the regex.
    return "--" in text and bool(_SEPARATOR.match(text.strip()))


def is_pipe_row(text: str) -> bool:
    """A line of cells: two '|' or more, or one that does not open the line."""
    bars = text.count("|")
    return bars >= 2 or (bars == 1 and not text.lstrip().startswith("|"))


def pipe_cells(text: str) -> list[str] | None:
    """The stripped cells of a pipe row (the outer '|' of '| a | b |' open and close no cell); None for a line
    that is not one."""
    if not is_pipe_row(text):
        return None
    cells = [c.strip() for c in text.split("|")]
    if cells[0] == "":  # only an outer '|' leaves a blank first or last piece
        del cells[0]
    if len(cells) > 1 and cells[-1] == "":
        cells.pop()
    return cells


def cell_count(text: str) -> int:
    """len(pipe_cells(text)) of a pipe row, without building the cells: one more than the '|' between cells."""
    s = text.strip()
    leading = s.startswith("|")
    trailing = s.endswith("|") and len(s) > leading  # a lone '|' is the leading one only
    return s.count("|") - leading - trailing + 1


def read_rows(lines: Iterable) -> list[Row]:
    rows = []
    for line in lines:
        text = line.text
        if is_separator(text):
            continue
        cells = pipe_cells(text)
        row = text_row(text, line.no) if cells is None else row_from_stripped(cells, line.no)
        if row:
            rows.append(row)
    return rows
