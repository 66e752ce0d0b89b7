"""Pipe rows (`a | b | c`) and markdown tables: one row per line, `|` between cells."""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.layouts.model import Row, row_from_cells, text_row

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def is_pipe_row(text: str) -> bool:
    return text.count("|") >= 2 or (text.count("|") == 1 and not text.strip().startswith("|"))


def is_separator(text: str) -> bool:
    # Every separator holds a '--': other lines skip the regex.
    return "--" in text and bool(_SEPARATOR.match(text.strip()))


def split_cells(text: str, sep: str = "|") -> list[str]:
    s = text.strip()
    if sep == "|":
        s = s[1:] if s.startswith("|") else s
        s = s[:-1] if s.endswith("|") else s
    return s.split(sep)


def cell_count(text: str) -> int:
    """len(split_cells(text)), without building the cells: one more than the '|' between cells."""
    s = text.strip()
    leading = s.startswith("|")
    trailing = s.endswith("|") and len(s) > leading  # a lone '|' is the leading one only
    return s.count("|") - leading - trailing + 1


def read_rows(lines: Iterable) -> list[Row]:
    rows = []
    for line in lines:
        if is_separator(line.text):
            continue
        row = row_from_cells(split_cells(line.text), line.no) if is_pipe_row(line.text) else text_row(line.text, line.no)
        if row:
            rows.append(row)
    return rows
