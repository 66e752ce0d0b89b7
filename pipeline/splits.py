"""Splitting collapsed digit runs ('77132470') into a fixed number of cells."""
from __future__ import annotations

from collections.abc import Callable, Iterator


def digit_splits(digits: str, cells: int, max_width: int | None = None) -> Iterator[tuple[int, ...]]:
    """Every way to cut `digits` into `cells` non-empty integers without leading zeros.

    A cell '0' is allowed; '05' is not (no report prints a padded count).
    """
    n = len(digits)
    if cells <= 0:
        return
    if cells == 1:
        if (digits[0] != "0" or n == 1) and (max_width is None or n <= max_width):
            yield (int(digits),)
        return
    limit = n - (cells - 1)
    if max_width is not None:
        limit = min(limit, max_width)
    for width in range(1, limit + 1):
        head = digits[:width]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in digit_splits(digits[width:], cells - 1, max_width):
            yield (int(head),) + rest


def consistent_splits(
    digits: str, cells: int, accept: Callable[[tuple[int, ...]], bool], max_width: int | None = None
) -> list[tuple[int, ...]]:
    """The splits that satisfy `accept` (the report's own guarantees: sums, ≤, prose numbers)."""
    return [split for split in digit_splits(digits, cells, max_width) if accept(split)]
