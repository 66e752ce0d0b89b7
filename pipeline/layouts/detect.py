"""Which layout a table region is printed in, and the reader for it."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from pipeline.layouts import cell_lines, collapsed, html, pdf_text, pipe, tsv
from pipeline.layouts.model import Row, is_number

READERS: dict[str, Callable[[Sequence], list[Row]]] = {
    "html": html.read_rows,
    "pipe": pipe.read_rows,
    "markdown": pipe.read_rows,
    "tsv": tsv.read_rows,
    "pdf_text": pdf_text.read_rows,
    "collapsed": collapsed.read_rows,
    "cells_per_line": cell_lines.read_rows,
}

# A CJK label glued to a run of digits that goes on into the next label: '申请数量801000081二、'.
_GLUED = re.compile(r"[\u4e00-\u9fff）)”][0-9]{3,}[\u4e00-\u9fff（(]")
_TRAILING_NUMBERS = re.compile(r"[\u4e00-\u9fff)）]\s+[+\-]?\d+(?:\.\d+)?(\s+[+\-]?\d+(?:\.\d+)?)*$")


def detect(lines: Sequence, is_html: bool) -> str:
    """One of the contract's layouts, from what the region's lines look like."""
    if is_html:
        return "html"
    texts = [line.text for line in lines]
    shape = _shape(texts)
    if shape.tabbed >= 3:
        return "tsv"
    if shape.wide_pipes >= 3:
        if shape.plain_numbered >= 2 or any(pdf_text.is_page_footer(t) for t in texts):
            return "pdf_text"
        return "markdown" if any(pipe.is_separator(t) for t in texts) else "pipe"
    lone_numbers = sum(_is_lone_number(t) for t in texts)
    if lone_numbers >= 5 and lone_numbers > shape.plain_numbered:
        return "cells_per_line"
    if shape.plain_numbered >= 3:
        return "pdf_text"
    if any(_GLUED.search(t) for t in texts):
        return "collapsed"
    return "pipe" if shape.piped else "pdf_text"


class _Shape(NamedTuple):
    tabbed: int  # lines holding a tab
    piped: bool  # any pipe row
    wide_pipes: int  # pipe rows of three cells or more
    plain_numbered: int  # lines without '|' that end in numbers


def _shape(texts: list[str]) -> _Shape:
    """What detect counts, in one pass over the lines."""
    tabbed, piped, wide_pipes, plain_numbered = 0, False, 0, 0
    for t in texts:
        if "\t" in t:
            tabbed += 1
        if "|" not in t:
            plain_numbered += _ends_in_numbers(t)
        elif pipe.is_pipe_row(t):
            piped = True
            wide_pipes += pipe.cell_count(t) >= 3
    return _Shape(tabbed, piped, wide_pipes, plain_numbered)


def _ends_in_numbers(text: str) -> bool:
    # The pattern ends in a digit at the end of the text (`$` also allows one final newline): a cheap
    # test skips most lines.
    if not text.removesuffix("\n")[-1:].isdigit():
        return False
    # After its first character the pattern matches only \s, \d, '.', '+' and '-': a match can start only at
    # the last other character, so one anchored match there replaces a search through a long (collapsed) line.
    start = len(text)
    while start and (text[start - 1].isspace() or text[start - 1].isdecimal() or text[start - 1] in ".+-"):
        start -= 1
    return start > 0 and bool(_TRAILING_NUMBERS.match(text, start - 1))


def _is_lone_number(text: str) -> bool:
    s = text.strip().removesuffix("|")
    # A number starts with a sign or a digit: other lines skip the (cached) test and stay out of its cache.
    return bool(s) and (s[0].isdigit() or s[0] in "+-−") and is_number(s)


def read(lines: Sequence, is_html: bool) -> tuple[str, list[Row]]:
    layout = detect(lines, is_html)
    return layout, READERS[layout](lines)
