"""Collapsed tables (cells run together on one line): 'label unit digits' rows, digit runs left unsplit."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.labels import strip_enumeration
from pipeline.splits import split_enumeration_tail
from schemas.vocabularies import UNITS

# Parenthesised text stays label text even when it holds digits ('计1条'). A run of CJK ideographs is
# one token: none is a digit, a space or a numbering mark, so the reader only ever adds them to a label.
_TOKEN = re.compile(r"[(（][^()（）]*[)）]|\d+(?:\.\d+)?|\s+|[\u4e00-\u9fff]+|.", re.S)
_ENUM_MARK = re.compile(r"[、.．]")
_UNITS_LONGEST_FIRST = sorted(UNITS, key=len, reverse=True)
_ARABIC_NUMBER = re.compile(r"(\d+)[、.．]\D*$")


@dataclass
class CollapsedRow:
    """A row whose values are still digit runs: one run per printed cell group, split later."""
    label: str
    unit: str
    runs: list[str] = field(default_factory=list)
    line: int = 0


@lru_cache(maxsize=16384)  # printed labels repeat across reports
def split_unit(text: str) -> tuple[str, str]:
    """('政府网站公开数条') → ('政府网站公开数', '条'): the unit column printed after the label."""
    s = text.strip()
    for unit in _UNITS_LONGEST_FIRST:
        if s.endswith(unit) and strip_enumeration(s[: -len(unit)]):
            return s[: -len(unit)].strip(), unit
    return s, ""


def _next_sibling_number(label: str) -> int:
    """Sibling rows count 1, 2, 3 …; after an unnumbered row a new group starts at 1."""
    m = _ARABIC_NUMBER.search(label.split("其中")[-1]) if label else None
    return int(m.group(1)) + 1 if m else 1


def read_collapsed(body: str, line: int) -> list[CollapsedRow]:
    """Rows of a collapsed table body such as '主动公开文件数条212210037其中:1、政府网站公开数条2122100372、…'."""
    rows: list[CollapsedRow] = []
    pending = ""
    tokens = _TOKEN.findall(body)
    for i, tok in enumerate(tokens):
        if not tok[0].isdigit():
            pending += tok
            continue
        followed_by_enum = i + 1 < len(tokens) and bool(_ENUM_MARK.fullmatch(tokens[i + 1]))
        if not strip_enumeration(pending):
            if followed_by_enum or not rows or pending.strip():
                pending += tok  # the run is (part of) a row number, not a value
            else:
                rows[-1].runs.append(tok)  # a further cell group of the previous row
            continue
        values, number = tok, ""
        if followed_by_enum:
            cut = split_enumeration_tail(tok, _next_sibling_number(pending))
            values, number = cut if cut and cut[0] else (tok, "")
        label, unit = split_unit(pending)
        rows.append(CollapsedRow(label, unit, [values], line))
        pending = number
    return rows
