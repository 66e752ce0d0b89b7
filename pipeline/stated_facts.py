"""Prose statements of legacy table facts (schemas/stated_facts.csv): 'cue … N unit' → the indicators it states."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline import catalog
from pipeline.narrative import WHOLE_JURISDICTION
from pipeline.numbers import ARABIC_COUNT, AT_LEAST, AT_MOST, Quantity, arabic_quantity

_CLAUSE_END = re.compile(r"[，,。；;：:、！？!?\n]")
_CLAUSE_START = re.compile(r"[，,；;：:]")
MAX_GAP = 12  # characters between a cue and its count: more, and the count is of something else
# The cue, what stands between it and its count within its clause, and the count (numbers' grammar of
# Arabic counts), in one pattern: a scan then finds only cues that count something.
_GAP = rf"[^，,。；;：:、！？!?\n\d]{{0,{MAX_GAP}}}?"
# Bounds that include N; every other bound (余/多/逾/超过 above, 近/不足/不到 below) excludes it.
_INCLUSIVE = re.compile(r"以上|以下|不少于|不低于|至少|不超过|不多于|不高于")


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
    quantity: Quantity  # offsets relative to the text read
    statement: str  # the clause up to the count, as printed
    whole: bool  # the sentence names the whole jurisdiction (全市…)
    offset: int  # where the statement starts in the text read
    sentence: str  # its sentence up to the count


def _set(text: str) -> frozenset[str]:
    return frozenset(u for u in text.split("|") if u)


@lru_cache(maxsize=None)
def fact_rows() -> tuple[FactRow, ...]:
    return tuple(FactRow(r["fact"], re.compile(f"(?P<cue>{r['cue']}){_GAP}{ARABIC_COUNT}"), _set(r["units"]), tuple(r["indicators"].split("+")),
                         _set(r["other_kind_units"]), r["whole_only"] == "yes",
                         re.compile(r["skip_if"]) if r["skip_if"] else None)
                 for r in catalog.load_csv("stated_facts.csv"))


@lru_cache(maxsize=None)
def _plan_cues() -> tuple[re.Pattern, re.Pattern]:
    """Cues of schemas/plan_cues.csv: a sentence looking ahead (将继续…, 下一步) and a section of plans."""
    rows = catalog.load_csv("plan_cues.csv")
    ahead = "|".join(r["cue"] for r in rows if r["scope"] == "sentence")
    heading = "|".join(r["cue"] for r in rows if r["scope"] == "heading")
    return re.compile(ahead), re.compile(heading)


# A section heading line (六、存在的主要问题及改进措施); searched from the line break, a fast literal scan.
_SECTION = re.compile(r"\n[一二三四五六七八九十]{1,3}、[^\n]*")
_LAST_SENTENCE_END = re.compile(r".*[。！？!?\n]", re.S)
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


def read(text: str, report_year: int | None = None) -> list[StatedFact]:
    """Every catalog statement of the report year's facts in the text, one per count (the first catalog row that
    takes a count wins); plans (a section of plans, a paragraph or sentence looking ahead) are no facts."""
    found: dict[int, StatedFact] = {}
    for row in fact_rows():
        for cue in row.cue.finditer(text):
            fact = _fact_at(row, cue, text)
            if fact is not None:
                found.setdefault(fact.quantity.start, fact)
    if not found:
        return []
    plans = _plan_spans(text)
    return [fact for _, fact in sorted(found.items())
            if not any(a <= fact.offset < b for a, b in plans) and not _looks_ahead(text, fact, report_year)]


def _plan_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each section whose heading names plans (六、存在的主要问题及改进措施), to the next section."""
    heads = list(_SECTION.finditer(text))
    cue = _plan_cues()[1]
    return [(m.start(), heads[i + 1].start() if i + 1 < len(heads) else len(text))
            for i, m in enumerate(heads) if cue.search(m.group(0))]


def _looks_ahead(text: str, fact: StatedFact, report_year: int | None) -> bool:
    """A later year opening the paragraph (2018年,我市将…), or a look-ahead cue in the paragraph's opening clause
    or before the count in its sentence."""
    line_start = text.rfind("\n", 0, fact.offset) + 1
    opening = _CLAUSE_START.split(text[line_start:fact.offset], 1)[0]
    year = _YEAR.match(opening.strip())
    if year and report_year and int(year[1]) > report_year:
        return True
    ahead = _plan_cues()[0]
    return ahead.search(opening) is not None or ahead.search(fact.sentence) is not None


def _fact_at(row: FactRow, m: re.Match, text: str) -> StatedFact | None:
    if m["unit"] not in row.units:
        return None
    q = arabic_quantity(m, text)
    q.start = m.start("pre") if m["pre"] else m.start("num")  # the count alone, without its cue
    q.raw = text[q.start:q.end]
    start = m.start()
    window_start = max(0, start - 200)
    last_end = _LAST_SENTENCE_END.match(text, window_start, start)
    sentence_start = last_end.end() if last_end else window_start
    before = text[sentence_start:start]
    if before.count("(") + before.count("（") > before.count(")") + before.count("）"):
        return None  # (不同方式回应同一热点或舆情计1次): a note on how to count, inside brackets
    clause = _CLAUSE_START.split(before)[-1]
    if row.skip_if is not None and row.skip_if.search(clause + m["cue"]):
        return None  # 其中…, 主要负责同志参加…: a part of the table's row, not the row
    whole = WHOLE_JURISDICTION.search(before) is not None
    if row.whole_only and not whole:
        return None
    clause_start = start - len(clause)
    return StatedFact(row, q, text[clause_start:q.end], whole, clause_start, text[sentence_start:q.end])


def bound(q: Quantity) -> tuple[str, bool]:
    """The qualifier of a count and whether its bound excludes N: ('at_least', True) for 2100余."""
    return q.qualifier, q.qualifier in (AT_LEAST, AT_MOST) and not _INCLUSIVE.search(q.raw)


def claims(q: Quantity, table_value: float) -> bool:
    """Whether a table value is what the count claims: 余/多 > N, 以上 ≥ N, 近/不足 < N, 以下 ≤ N, 约/左右 ± 5%."""
    qualifier, strict = bound(q)
    if qualifier == AT_LEAST:
        return table_value > q.value if strict else table_value >= q.value
    if qualifier == AT_MOST:
        return table_value < q.value if strict else table_value <= q.value
    if qualifier == "approx":
        return abs(table_value - q.value) <= max(1.0, 0.05 * q.value)
    return abs(table_value - q.value) < 1e-6


MEANINGS = {(AT_LEAST, True): "more than", (AT_LEAST, False): "at least", (AT_MOST, True): "less than",
            (AT_MOST, False): "at most", ("approx", False): "about", ("exact", False): "exactly"}


def meaning(q: Quantity) -> str:
    """'2100余: more than 2100' — what the printed qualifier claims."""
    return f"{MEANINGS[bound(q)]} {q.value:g}"
