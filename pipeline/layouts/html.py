"""HTML tables as read.py renders them: each <tr> one line of ` | `-joined cells, blanks kept as ''.

Values are taken by ordinal position within the row, never by grid x: real reports put colspans on
header and data cells differently (formats §5.4).
"""
from __future__ import annotations

from collections.abc import Iterable

from pipeline.layouts.model import Row, row_from_cells, text_row
from pipeline.layouts.pipe import is_separator

CELL_JOIN = " | "  # how read.py joins the cells of one <tr>


def read_rows(lines: Iterable) -> list[Row]:
    rows = []
    for line in lines:
        text = line.text
        if is_separator(text):
            continue  # a markdown table pasted into a page: its rule line under the header is no row
        # read.py strips the line, so a blank last cell leaves its joiner as a bare trailing '|'.
        cells = text.split(CELL_JOIN.strip()) if "|" in text else None
        row = row_from_cells(cells, line.no) if cells else text_row(text, line.no)
        if row:
            rows.append(row)
    return rows
