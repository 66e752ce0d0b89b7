"""Number grammar shared by table cells and narrative prose."""
from __future__ import annotations

import re
import unicodedata

# Cell texts that mean "no value" — blank is not 0.
PLACEHOLDERS = {"", "-", "—", "--", "——", "/", "／", "无", "n/a", "N/A", "NA", "空", "\\", "－", "–"}

_CELL_NUMBER = re.compile(r"^([+\-−]?)(\d+(?:\.\d+)?)\s*(万元|元|条|件|次|个|人次|人|份|期|篇|项|%)?$")


def parse_cell(raw: str | None) -> float | None:
    """A table cell's value: None for blanks and placeholders; signed and decimal values kept.

    Raises ValueError for text that is neither a number nor a placeholder, so callers can
    record the cell as unreadable instead of guessing.
    """
    if raw is None:
        return None
    s = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    s = re.sub(r"\s+", "", s)
    if s in PLACEHOLDERS:
        return None
    m = _CELL_NUMBER.match(s)
    if not m:
        raise ValueError(f"not a number: {raw!r}")
    value = float(m.group(2))
    return -value if m.group(1) in ("-", "−") else value


def is_number_cell(raw: str | None) -> bool:
    try:
        return parse_cell(raw) is not None
    except ValueError:
        return False
