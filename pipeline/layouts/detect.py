"""Which layout a table region is printed in, and the reader for it."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
    tabbed = sum(t.count("\t") >= 1 for t in texts)
    piped = [t for t in texts if pipe.is_pipe_row(t)]
    wide_pipes = sum(len(pipe.split_cells(t)) >= 3 for t in piped)
    footers = sum(pdf_text.is_page_footer(t) for t in texts)
    plain_numbered = sum(bool(_TRAILING_NUMBERS.search(t)) for t in texts if "|" not in t)
    lone_numbers = sum(is_number(t.strip().removesuffix("|")) for t in texts if t.strip())
    if tabbed >= 3:
        return "tsv"
    if wide_pipes >= 3:
        if footers or plain_numbered >= 2:
            return "pdf_text"
        return "markdown" if any(pipe.is_separator(t) for t in texts) else "pipe"
    if lone_numbers >= 5 and lone_numbers > plain_numbered:
        return "cells_per_line"
    if plain_numbered >= 3:
        return "pdf_text"
    if any(_GLUED.search(t) for t in texts):
        return "collapsed"
    return "pipe" if piped else "pdf_text"


def read(lines: Sequence, is_html: bool) -> tuple[str, list[Row]]:
    layout = detect(lines, is_html)
    return layout, READERS[layout](lines)
