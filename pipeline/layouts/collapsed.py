"""Collapsed crawler text: cells run together with no separator ('行政规范性文件77132470').

Each digit run becomes one row whose label is the text before it; the template splits the run.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.layouts.model import Row

# Digits (with a decimal point) between labels; a run ending in '.'/'、' carries the next row's number.
_RUN = re.compile(r"\d[\d.]*[.、]?")
_ENUM_TAIL = re.compile(r"(\d)[.、]$")


def read_rows(lines: Iterable) -> list[Row]:
    rows = []
    for line in lines:
        # str.split() drops exactly the whitespace \s matches, in C (a regex sub tests every character).
        rows.extend(line_rows("".join(line.text.split()), line.no))
    return rows


def line_rows(text: str, line_no: int) -> list[Row]:
    rows, label, pos = [], "", 0
    for m in _RUN.finditer(text):
        start, end = m.span()
        label += text[pos:start]
        pos = end
        run, carry = m.group(), ""
        if run[-1] in ".、":  # only a run ending in a numbering mark can carry the next row's number
            tail = _ENUM_TAIL.search(run)
            if tail:  # '00000002.' → run '0000000', next label starts '2.'
                run, carry = run[: tail.start()], run[tail.start():]
            run = run.rstrip(".、")
        if run:
            rows.append(Row((label,), (run,), line_no, collapsed=True))
            label = ""
        label += carry
    label += text[pos:]
    if label:
        rows.append(Row((label,), (), line_no))
    return rows
