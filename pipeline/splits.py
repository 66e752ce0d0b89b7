"""Splitting collapsed digit runs ('77132470') into a fixed number of cells."""
from __future__ import annotations


def digit_splits(digits: str, cells: int, max_width: int | None = None) -> list[tuple[int, ...]]:
    """Every way to cut `digits` into `cells` non-empty integers without leading zeros.

    A cell '0' is allowed; '05' is not (no report prints a padded count).
    """
    if len(digits) == cells >= 1 and (max_width is None or max_width >= 1) and digits.isascii() and digits.isdigit():
        return [tuple(map(int, digits))]  # one digit per cell is the only cut (the common all-'0' rows)
    found: list[tuple[int, ...]] = []
    widest = len(digits) if max_width is None else max_width

    def extend(pos: int, left: int, parts: tuple[int, ...]) -> None:
        n = len(digits) - pos
        if left == 1:
            if (digits[pos] != "0" or n == 1) and n <= widest:
                found.append(parts + (int(digits[pos:]),))
            return
        for width in range(1, min(n - (left - 1), widest) + 1):
            if width > 1 and digits[pos] == "0":
                break
            extend(pos + width, left - 1, parts + (int(digits[pos:pos + width]),))

    if cells > 0:
        extend(0, cells, ())
    return found


def split_enumeration_tail(digits: str, expected: int) -> tuple[str, str] | None:
    """Cut the next row's printed number off a digit run ('2122100372' + '、', expected 2 → ('212210037', '2')).

    Sibling numbers run 1, 2, 3 …, so the tail must read as the expected number; None when it does not.
    """
    tail = str(expected)
    if expected < 1 or not digits.endswith(tail):
        return None
    return digits[: -len(tail)], tail


def sum_splits(digits: str, cells: int) -> list[tuple[int, ...]]:
    """Splits whose last cell is the sum of the others (a row ending in its 总计).

    The total is at least as wide as every part and at most one digit wider than the widest
    (cells - 1 ≤ 10 parts), which bounds the enumeration.
    """
    if len(digits) == cells >= 2 and digits.isascii() and digits.isdigit():
        # One digit per cell is the only cut (the common all-'0' and single-digit rows).
        values = tuple(map(int, digits))
        return [values] if sum(values[:-1]) == values[-1] else []
    found = []
    for total_width in range(1, len(digits) - cells + 2):
        head, total = digits[:-total_width], digits[-total_width:]
        widest_part = len(head) - (cells - 2)
        if (len(total) > 1 and total[0] == "0") or (cells <= 11 and total_width > widest_part + 1):
            continue
        if len(head) > (cells - 1) * total_width:
            continue  # a part wider than the total exceeds it
        total_value = int(total)
        for parts in _parts_summing(head, cells - 1, total_width, total_value):
            found.append(parts + (total_value,))
    return found


def _parts_summing(digits: str, cells: int, max_width: int, target: int) -> list[tuple[int, ...]]:
    """Cuts of `digits` into `cells` parts no wider than max_width that add up to target (pruned as it goes)."""
    found: list[tuple[int, ...]] = []

    def extend(pos: int, left: int, remaining: int, parts: tuple[int, ...]) -> None:
        n = len(digits) - pos
        if n < left or n > left * max_width:
            return
        if remaining == 0:  # parts without leading zeros that add up to 0 are each a single '0'
            if n == left and digits.count("0", pos) == n:
                found.append(parts + (0,) * left)
            return
        rest = int(digits[pos:])
        if rest < remaining:
            return  # no cut of the digits adds up to more than the digits read as one number
        if left == 1:
            if (digits[pos] != "0" or n == 1) and rest == remaining:
                found.append(parts + (remaining,))
            return
        for width in range(max(1, n - (left - 1) * max_width), min(max_width, n - left + 1) + 1):
            if width > 1 and digits[pos] == "0":
                break
            head = int(digits[pos:pos + width])
            if head > remaining:
                break  # wider heads are larger still
            extend(pos + width, left - 1, remaining - head, parts + (head,))

    extend(0, cells, target, ())
    return found


def block_sum_splits(digits: str, blocks: int, cells: int, limit: int = 1000) -> list[tuple[int, ...]]:
    """Splits into `blocks` consecutive blocks of `cells`, each ending in its own total (表四's three blocks)."""
    if blocks == 1:
        return sum_splits(digits, cells)[:limit]
    found: list[tuple[int, ...]] = []
    for cut in range(cells, len(digits) - cells * (blocks - 1) + 1):
        for first in sum_splits(digits[:cut], cells):
            for rest in block_sum_splits(digits[cut:], blocks - 1, cells, limit):
                found.append(first + rest)
                if len(found) >= limit:
                    return found
    return found
