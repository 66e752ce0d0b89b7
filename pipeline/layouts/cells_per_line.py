"""One-cell-per-line tables (HTML copied as text): a label-like line opens a row, the cell lines after it fill it."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.labels import enumeration_of, label_key
from pipeline.numbers import PLACEHOLDERS, is_number_cell
from schemas.vocabularies import UNITS

UNIT_WORDS = frozenset(UNITS)
_NOTE = re.compile(r"^[(（](?![一二三四五六七八九十\d]+[)）])")
# A blank cell: a placeholder, or a run of one dash ('----', as markdown copies print an empty cell). A set, not a
# pattern, as every cell and line is tested; a run longer than 40 would be a rule, not a cell.
BLANKS = frozenset(PLACEHOLDERS) | {dash * n for dash in "-—–－" for n in range(2, 41)}


# Not frozen, though never changed once read: one is built per cell line and a frozen init is ~5× slower.
@dataclass(slots=True)
class Cell:
    text: str  # as found, stripped ('' for a blank cell)
    line: int

    @property
    def is_blank(self) -> bool:
        return self.text in BLANKS


@dataclass
class RawRow:
    """One printed row: its label (wrapped pieces and notes joined) and its cells in order."""
    label: str
    line: int
    cells: list[Cell] = field(default_factory=list)


def cell_text(text: str) -> str | None:
    """The cell a line holds (a number, a placeholder, a unit or a blank), None for a label-like line."""
    s = text.strip()
    if not s or s in BLANKS or s in UNIT_WORDS or is_number_cell(s):
        return s
    return None


def _balance(text: str) -> int:
    return sum(text.count(c) for c in "(（") - sum(text.count(c) for c in ")）")


def _continues_label(row: RawRow, text: str) -> bool:
    """A wrapped label's tail or a note line printed under its label, before any cell."""
    if row.cells:
        return False
    return _balance(row.label) > 0 or (bool(_NOTE.match(text.strip())) and not enumeration_of(text))


def _join(label: str, piece: str) -> str:
    if label_key(piece) in label_key(label):
        return label  # a repeated note line adds nothing
    return label.rstrip() + piece.strip()


def read_rows(lines: Iterable) -> list[RawRow]:
    """Rows of a table body given as lines (objects with .no and .text).

    Empty lines separate cells; a line holding only whitespace (a lone NBSP after NFKC) is a blank cell.
    """
    rows: list[RawRow] = []
    for line in lines:
        if line.text == "":
            continue
        cell = cell_text(line.text)
        if cell is not None:
            if rows:
                rows[-1].cells.append(Cell(cell, line.no))
            continue
        if rows and _continues_label(rows[-1], line.text):
            rows[-1].label = _join(rows[-1].label, line.text)
            continue
        rows.append(RawRow(line.text.strip(), line.no))
    return rows
