"""Prose statements of legacy table facts (schemas/stated_facts.csv): 'cue … N unit' → the indicators it states."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from pipeline import catalog
from pipeline.narrative import WHOLE_JURISDICTION, Plans
from pipeline.sentences import Block, sentence_at
from pipeline.numbers import APPROX, ARABIC_COUNT, AT_LEAST, AT_MOST, EXACT, INCLUSIVE_BOUNDS, Quantity, arabic_quantity

_CLAUSE_START = re.compile(r"[，,；;：:]")
MAX_GAP = 12  # characters between a cue and its count: more, and the count is of something else
# The cue, what stands between it and its count within its clause, and the count (numbers' grammar of
# Arabic counts), in one pattern: a scan then finds only cues that count something.
_GAP = rf"[^，,。；;：:、！？!?\n\d]{{0,{MAX_GAP}}}?"


@dataclass(frozen=True)
class FactRow:
    fact: str
    cue: re.Pattern
    units: frozenset[str]
    indicators: tuple[str, ...]
    other_kind_units: frozenset[str]
    whole_only: bool
    skip_if: re.Pattern | None


@dataclass
class StatedFact:
    row: FactRow
    quantity: Quantity  # offsets in the prose read (its blocks joined by line breaks)
    statement: str  # the clause up to the count, as printed
    whole: bool  # the sentence names the whole jurisdiction (全市…)
    line: int  # the raw line the count stands on
    where: tuple[int, int, str, int]  # block number, sentence offset, sentence, count offset: what Plans.at asks


def _set(text: str) -> frozenset[str]:
    return frozenset(u for u in text.split("|") if u)


@lru_cache(maxsize=None)
def fact_rows() -> tuple[FactRow, ...]:
    return tuple(FactRow(r["fact"], re.compile(f"(?P<cue>{r['cue']}){_GAP}{ARABIC_COUNT}"), _set(r["units"]), tuple(r["indicators"].split("+")),
                         _set(r["other_kind_units"]), r["whole_only"] == "yes",
                         re.compile(r["skip_if"]) if r["skip_if"] else None)
                 for r in catalog.load_csv("stated_facts.csv"))


def read(plans: Plans, last_line: int | None = None) -> list[StatedFact]:
    """Every catalog statement of the report year's facts in the prose blocks up to last_line (the 统计表 closes a
    legacy report), one per count (the first catalog row that takes a count wins); what narrative reads as a plan
    (a section of plans, a paragraph or sentence looking ahead, an aim) is no fact."""
    texts = _up_to(plans.prose, last_line)
    # A gap never crosses a line break: blocks joined by one are each read alone, in one scan per row.
    text = "\n".join(texts)
    block_starts = [0, *accumulate(len(block) + 1 for block in texts)]
    found: dict[int, StatedFact] = {}
    for row in fact_rows():
        for m in row.cue.finditer(text):
            block_no = bisect_right(block_starts, m.start()) - 1
            fact = _fact_at(row, m, text, block_starts[block_no], block_no, plans.prose[block_no])
            if fact is not None:
                found.setdefault(fact.quantity.start, fact)
    return [fact for _, fact in sorted(found.items()) if not plans.at(*fact.where)]


def _up_to(blocks: list[Block], last_line: int | None) -> list[str]:
    """The blocks' texts up to and including the raw line last_line."""
    if last_line is None:
        return [block.text for block in blocks]
    opened = bisect_right(blocks, last_line, key=_first_line)  # the blocks that open by then
    texts = [block.text for block in blocks[:opened]]
    if texts:
        last = blocks[opened - 1]
        kept = bisect_right(last.line_nos, last_line)
        if kept < len(last.line_nos):
            texts[-1] = last.text[:last.starts[kept]]
    return texts


def _first_line(block: Block) -> int:
    return block.line_nos[0]


def _fact_at(row: FactRow, m: re.Match, text: str, block_start: int, block_no: int, block: Block) -> StatedFact | None:
    if m["unit"] not in row.units:
        return None
    start, sentence = sentence_at(block.text, m.start() - block_start)
    before = text[block_start + start:m.start()]
    if before.count("(") + before.count("（") > before.count(")") + before.count("）"):
        return None  # (不同方式回应同一热点或舆情计1次): a note on how to count, inside brackets
    clause = _CLAUSE_START.split(before)[-1]
    if row.skip_if is not None and row.skip_if.search(clause + m["cue"]):
        return None  # 其中…, 主要负责同志参加…: a part of the table's row, not the row
    whole = WHOLE_JURISDICTION.search(before) is not None
    if row.whole_only and not whole:
        return None
    q = arabic_quantity(m, text)
    q.start = m.start("pre") if m["pre"] else m.start("num")  # the count alone, without its cue
    q.raw = text[q.start:q.end]
    in_block = q.start - block_start
    return StatedFact(row, q, text[m.start() - len(clause):q.end], whole, block.line_at(in_block),
                      (block_no, start, sentence, in_block - start))


def bound(q: Quantity) -> tuple[str, bool]:
    """The qualifier of a count and whether its bound excludes N: ('at_least', True) for 2100余."""
    return q.qualifier, q.qualifier in (AT_LEAST, AT_MOST) and not any(word in q.raw for word in INCLUSIVE_BOUNDS)


def claims(q: Quantity, table_value: float) -> bool:
    """Whether a table value is what the count claims: 余/多 > N, 以上 ≥ N, 近/不足 < N, 以下 ≤ N, 约/左右 ± 5%."""
    qualifier, strict = bound(q)
    if qualifier == AT_LEAST:
        return table_value > q.value if strict else table_value >= q.value
    if qualifier == AT_MOST:
        return table_value < q.value if strict else table_value <= q.value
    if qualifier == APPROX:
        return abs(table_value - q.value) <= max(1.0, 0.05 * q.value)
    return abs(table_value - q.value) < 1e-6


MEANINGS = {(AT_LEAST, True): "more than", (AT_LEAST, False): "at least", (AT_MOST, True): "less than",
            (AT_MOST, False): "at most", (APPROX, False): "about", (EXACT, False): "exactly"}


def meaning(q: Quantity) -> str:
    """'2100余: more than 2100' — what the printed qualifier claims."""
    return f"{MEANINGS[bound(q)]} {q.value:g}"
