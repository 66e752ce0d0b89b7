"""One cell per line (HTML copied as text): the shared cells_per_line reader, seen through the table model."""
from __future__ import annotations

from collections.abc import Iterable

from pipeline.layouts import cells_per_line
from pipeline.layouts.model import Row, is_value


def read_rows(lines: Iterable) -> list[Row]:
    # Some copies end every cell line with ' |' (formats §5.2, S5).
    lines = [type(line)(line.no, line.text.rstrip().removesuffix("|").rstrip() if line.text.strip() else line.text)
             for line in lines]
    rows = []
    for raw in cells_per_line.read_rows(lines):
        cells = tuple(c.text for c in raw.cells if is_value(c.text))
        rows.append(Row((raw.label,), cells, raw.line))
    return rows
