"""Tab-separated rows (browser 'copy table', spreadsheet export): the pipe rules with `\\t` between cells."""
from __future__ import annotations

from collections.abc import Iterable

from pipeline.layouts.model import Row, row_from_cells, text_row


def read_rows(lines: Iterable) -> list[Row]:
    rows = []
    for line in lines:
        row = row_from_cells(line.text.split("\t"), line.no) if "\t" in line.text else text_row(line.text, line.no)
        if row:
            rows.append(row)
    return rows
