"""The one small table model every layout reader produces: rows of label cells, value cells and a source line."""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline.numbers import PLACEHOLDERS

# A value cell: a signed or decimal number (thousands grouped by commas or not), maybe with a unit, maybe followed by a printed note
# ('22（其中修订16件）'); or a blank/placeholder.
_VALUE = re.compile(r"^[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:万元|元|件|条|个|项|次)?\s*(?:[(（][^()（）]*[)）])?$")
_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]$")


class Row:
    """One printed row. A row with labels and no cells is a caption, a header or a wrapped label piece."""
    # A plain slotted class: readers build one per printed line, and the joined label, asked for by every step
    # of the table readers, is built once here.
    __slots__ = ("labels", "label", "cells", "line", "collapsed")
    unreadable = False  # some leading cells were taken for labels and given back (a class constant: see Relabelled)

    def __init__(self, labels: tuple[str, ...], cells: tuple[str, ...], line: int, collapsed: bool = False):
        self.labels = labels
        self.label = "".join(labels)
        self.cells = cells
        self.line = line
        self.collapsed = collapsed  # cells is one digit run whose cut points were lost; the template splits it

    def __repr__(self) -> str:
        return f"Row({self.labels!r}, {self.cells!r}, {self.line}, collapsed={self.collapsed})"

    @property
    def has_values(self) -> bool:
        return any(is_number(c) for c in self.cells)


def is_blank(text: str) -> bool:
    return text.strip() in PLACEHOLDERS


@lru_cache(maxsize=16384)  # cell texts (0, 1, 12 …) repeat over and over
def is_number(text: str) -> bool:
    return bool(_VALUE.match(text.strip()))


@lru_cache(maxsize=16384)  # cell texts repeat over and over
def is_value(text: str) -> bool:
    return is_blank(text) or is_number(text)


def without_note(text: str) -> str:
    """'22（其中修订16件）' → '22': the note printed inside a cell is not its value."""
    text = text.strip()
    if not text.endswith((")", "）")):  # a note always ends the cell
        return text
    return _NOTE.sub("", text)


def row_from_cells(cells: list[str], line: int) -> Row | None:
    """Leading non-value cells are labels, the rest values; None for a row with nothing in it.

    Empty fields that open a row before its first label are the fillers a spreadsheet export prints for merged
    (rowspan/colspan) label cells, not values: `|  | （三）不予公开 | 1.属于国家秘密 | 0 |`. After the first label an
    empty field is a blank value, as it is in a row of no label (`| 行政许可 |  |`, `|  | 3 |`).
    """
    return row_from_stripped([c.strip() for c in cells], line)


def row_from_stripped(cells: list[str], line: int) -> Row | None:
    """row_from_cells of cells already stripped."""
    first_value = _first_value(cells)
    if first_value == 1:  # the usual row: one label cell (a slice and a filter cost three times as much)
        labels = (cells[0],) if cells[0] else ()
    else:
        labels = tuple(filter(None, cells[:first_value]))
    values = tuple(cells[first_value:])
    if not labels and not any(map(is_number, values)):
        return None  # a separator, or a label-less row of blanks only
    return Row(labels, values, line)


class Relabelled(Row):
    """A row some of whose leading cells the layout took for labels, given back by a template that knows the row."""
    __slots__ = ()
    unreadable = True


def relabelled(row: Row, j: int) -> Row:
    """The row with only its first j labels as labels, the others put back in front of its cells.

    A layout takes every leading cell that is neither a number nor a placeholder ('×', '未统计') for a label; a
    template that knows the row is a data row gives those cells back, to be kept as printed and reported.
    """
    return Relabelled(row.labels[:j], row.labels[j:] + row.cells, row.line)


def _first_value(cells: list[str]) -> int:
    i = fillers = 0
    for cell in cells:
        if is_value(cell):
            if cell or i > fillers:
                break
            fillers += 1  # an empty field before any label
        i += 1
    return i if i > fillers else 0  # empty fields before no label are blank values


def text_row(text: str, line: int) -> Row | None:
    """A line of prose or a caption: labels only."""
    text = text.strip()
    if text.startswith("#"):  # a markdown heading: its marks and the space after them are no label
        text = text.lstrip("#").lstrip()
    return Row((text,), (), line) if text else None
