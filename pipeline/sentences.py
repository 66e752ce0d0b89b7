"""Prose of a report as blocks, sentences and headings, each position traceable to its raw line."""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import accumulate
from operator import attrgetter
from dataclasses import dataclass

from pipeline.layouts.pdf_text import is_page_footer
from pipeline.numbers import fold_width, has_fullwidth

_TABLE_LINE = re.compile(r"^\||\s\|\s|\|$")
_TERMINAL = tuple("。！？；：!?;:")
# Heading markers by rank: 一、 > （一） > 1. / 1、 > （1） > 一是. Ranks 1 and 5 are only headings
# at a block or sentence start; the bracketed and Arabic ones also run on inside copied text
# (安排1.高度重视, 信息公开（1）推进…), so they count wherever they stand. Every marker starts with a
# numeral or an opening bracket: the lookahead skips other characters before any lookbehind is tried.
_MARKER = re.compile(
    r"(?=[一二三四五六七八九十(（\d])"
    r"(?:(?P<r1>(?:^|(?<=[。；;：:！？!?\s]))[一二三四五六七八九十]+、)"
    r"|(?P<r2>(?<!第)[(（][一二三四五六七八九十]+[)）])"
    r"|(?P<r3>(?<![\dA-Za-z.．,%])\d{1,2}[、.．](?![\d%]))"
    r"|(?P<r4>(?<!第)[(（]\d{1,2}[)）])"
    r"|(?P<r5>(?:^|(?<=[。；;：:！？!?\s]))[一二三四五六七八九十]+是))")
# Every marker ends in its cue, a numeral directly followed by one of 、.．)）是, and before the cue
# holds only numerals and opening brackets. Cues are searched from the mark: a pattern starting
# with a few characters is scanned for in C, and only at a mark does the lookbehind ask for a numeral.
_MARKER_CUE = re.compile(r"[、.．)）是](?<=[一二三四五六七八九十\d].)")
_HEADING_END = re.compile(r"[。，,；;：:！？!?]")
_SENTENCE_ENDS = "。！？!?"
_SENTENCE = re.compile(f"[^{_SENTENCE_ENDS}]+[{_SENTENCE_ENDS}]?")
HEADING_MAX = 40


# Not frozen: a frozen dataclass's __init__ is several times slower, and a report has dozens of each.
@dataclass(slots=True)
class Block:
    """Consecutive prose lines joined (PDF copies wrap sentences across lines)."""
    text: str
    starts: tuple[int, ...]  # offset in text where each joined line begins
    line_nos: tuple[int, ...]
    heading_rank: int = 0  # the rank of the heading a heading line starts with (0: not a heading line)

    def line_at(self, pos: int) -> int:
        return self.line_nos[max(0, bisect_right(self.starts, pos) - 1)]


@dataclass(slots=True)
class Heading:
    rank: int
    text: str  # the heading's words after its marker, up to the first punctuation
    start: int  # offset in the block


def blocks(doc) -> list[Block]:
    """Prose blocks: table rows and page footers are dropped; a blank line, a heading line or a
    line ending a sentence closes a block. A block of bare numbers (table cells printed one per
    line) holds no words, so no sentence and no heading: it is dropped too."""
    out: list[Block] = []
    texts: list[str] = []  # the open block's lines, cleaned
    nos: list[int] = []
    worded = False  # whether one of them is more than a bare number
    # Read Documents are NFKC'd (no full-width ASCII left): one search spares folding line by line.
    folding = has_fullwidth("\n".join(map(attrgetter("text"), doc.lines)))
    for line in doc.lines:
        raw = line.text
        if raw.isdecimal():
            # A bare number is never blank, a footer, a table row, a heading or a sentence end, and
            # cleaning leaves it as it is: it only joins the open block.
            texts.append(fold_width(raw) if folding else raw)
            nos.append(line.no)
            continue
        text = raw.lstrip("#").strip()
        if folding:
            text = fold_width(text)
        if not text or ("|" in text and _TABLE_LINE.search(text)):  # the test of "|" spares most lines a scan
            if texts:
                _close(out, texts, nos, worded)
                texts, nos, worded = [], [], False
            continue
        if is_page_footer(text):
            continue
        marker = _MARKER.match(text) if len(text) <= HEADING_MAX else None
        if marker:  # a heading line is a block of its own
            if texts:
                _close(out, texts, nos, worded)
            out.append(Block(text, (0,), (line.no,), int(marker.lastgroup[1])))
            texts, nos, worded = [], [], False
            continue
        texts.append(text)
        nos.append(line.no)
        if text.endswith(_TERMINAL):
            out.append(_block(texts, nos))
            texts, nos, worded = [], [], False
        else:
            worded = True
    if texts:
        _close(out, texts, nos, worded)
    return out


def _close(out: list[Block], texts: list[str], line_nos: list[int], worded: bool) -> None:
    if worded:
        out.append(_block(texts, line_nos))


def _block(texts: list[str], line_nos: list[int]) -> Block:
    if len(texts) == 1:  # most blocks are one line
        return Block(texts[0], (0,), (line_nos[0],))
    return Block("".join(texts), tuple(accumulate(map(len, texts[:-1]), initial=0)), tuple(line_nos))


def _headings(block: Block) -> Iterator[Heading]:
    for m in _markers(block.text):
        rank = int(m.lastgroup[1])
        rest = block.text[m.end():m.end() + HEADING_MAX]
        stop = _HEADING_END.search(rest)
        cut = stop.start() if stop else len(rest)
        # A marker holds no punctuation, so the next one counts only if it starts before it.
        nxt = _MARKER.search(rest, 0, cut)
        yield Heading(rank, rest[:nxt.start() if nxt else cut].strip(), m.start())


def _markers(text: str) -> Iterator[re.Match]:
    """What _MARKER.finditer(text) finds, tried only in the run of numerals and brackets before
    each cue: a marker starting there ends at that cue's mark, and none starts anywhere else."""
    searched_to = 0  # where the last marker found ends
    for cue in _MARKER_CUE.finditer(text):
        numeral = cue.start() - 1
        for start in range(max(searched_to, _run_start(text, numeral)), numeral + 1):
            m = _MARKER.match(text, start)
            if m:
                yield m
                searched_to = m.end()
                break


def _run_start(text: str, pos: int) -> int:
    """Where the numerals and opening brackets running up to pos begin."""
    while pos and (text[pos - 1] in "一二三四五六七八九十(（" or text[pos - 1].isdecimal()):
        pos -= 1
    return pos


def sentences(block: Block) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; a sentence ends at 。！？."""
    return [(m.start(), m.group(0)) for m in _SENTENCE.finditer(block.text) if m.group(0).strip()]


def sentence_at(text: str, pos: int) -> tuple[int, str]:
    """(offset, sentence) of the sentence holding pos in a block's text, as sentences() splits it."""
    start = max(text.rfind(mark, 0, pos) for mark in _SENTENCE_ENDS) + 1
    return start, _SENTENCE.match(text, start).group(0)


class Outline:
    """The headings in force anywhere in a document's prose. A block is searched for headings only
    as far as a trail reaches into it: most counts are read without asking for their headings."""

    def __init__(self, prose: list[Block]):
        self.blocks = prose
        self._found: dict[int, list[Heading]] = {}
        self._scans: dict[int, Iterator[Heading]] = {}
        self._after: dict[int, tuple[Heading, ...]] = {}  # the trail at a block's end, once asked for
        self._within: dict[int, list[tuple[Heading, ...]]] = {}

    def _headings_before(self, block_no: int, pos: float) -> list[Heading]:
        """The block's headings found so far, the search carried on past pos (or to the end)."""
        if block_no not in self._found:
            self._found[block_no], self._scans[block_no] = [], _headings(self.blocks[block_no])
        found, scan = self._found[block_no], self._scans[block_no]
        while scan is not None and (not found or found[-1].start < pos):
            heading = next(scan, None)
            if heading is None:
                self._scans[block_no] = scan = None
            else:
                found.append(heading)
        return found

    def trail(self, block_no: int, pos: int) -> tuple[Heading, ...]:
        """The headings in force at pos in a block, outermost first."""
        count = bisect_left(self._headings_before(block_no, pos), pos, key=attrgetter("start"))
        return self._trail_within(block_no, count) if count else self._trail_after(block_no - 1)

    def _trail_within(self, block_no: int, count: int) -> tuple[Heading, ...]:
        """The trail after a block's first count headings. A one-line report is one block holding
        every heading, so each trail is kept: the counts under one heading ask for it again."""
        known = self._within.setdefault(block_no, [])  # known[i]: after the block's first i + 1 headings
        headings = self._found[block_no]
        while len(known) < count:
            if known:
                opened = known[-1]
            else:  # a rank-1 heading closes every heading before it
                opened = () if headings[0].rank == 1 else self._trail_after(block_no - 1)
            known.append(_nested(opened, headings[len(known)]))
        return known[count - 1]

    def _trail_after(self, block_no: int) -> tuple[Heading, ...]:
        """The headings in force at the end of a block. Counts under one heading ask for the same
        blocks again and again, so each block's trail is kept once known."""
        unknown = []
        no = block_no
        while no >= 0 and no not in self._after:
            unknown.append(no)
            if any(h.rank == 1 for h in self._headings_before(no, math.inf)):
                break  # a rank-1 heading closes every heading before it
            no -= 1
        trail = self._after.get(no, ())
        for no in reversed(unknown):
            for heading in self._headings_before(no, math.inf):
                trail = _nested(trail, heading)
            self._after[no] = trail
        return trail


def _nested(trail: tuple[Heading, ...], heading: Heading) -> tuple[Heading, ...]:
    """The trail after a heading: it closes every open heading of its rank or below."""
    kept = len(trail)
    while kept and trail[kept - 1].rank >= heading.rank:
        kept -= 1
    return (*trail[:kept], heading)
