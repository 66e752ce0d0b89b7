"""Prose of a report as blocks, sentences and headings, each position traceable to its raw line."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipeline.numbers import fold_width

_TABLE_LINE = re.compile(r"^\||\s\|\s|\|$")
_PAGE_FOOTER = re.compile(r"^[—\-–]+\s*\d+\s*[—\-–]+$")
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
_HEADING_END = re.compile(r"[。，,；;：:！？!?]")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
HEADING_MAX = 40


@dataclass(frozen=True)
class Block:
    """Consecutive prose lines joined (PDF copies wrap sentences across lines)."""
    text: str
    starts: tuple[int, ...]  # offset in text where each joined line begins
    line_nos: tuple[int, ...]

    def line_at(self, pos: int) -> int:
        return self.line_nos[max(0, bisect_right(self.starts, pos) - 1)]


@dataclass(frozen=True)
class Heading:
    rank: int
    text: str  # the heading's words after its marker, up to the first punctuation
    start: int  # offset in the block


def _clean(text: str) -> str:
    return fold_width(text.lstrip("#").strip())


def _is_heading_line(text: str) -> bool:
    return len(text) <= HEADING_MAX and bool(_MARKER.match(text))


def blocks(doc) -> list[Block]:
    """Prose blocks: table rows and page footers are dropped; a blank line, a heading line or a
    line ending a sentence closes a block."""
    out: list[Block] = []
    parts: list[tuple[str, int]] = []

    def close():
        if parts:
            starts, pos = [], 0
            for text, _ in parts:
                starts.append(pos)
                pos += len(text)
            out.append(Block("".join(t for t, _ in parts), tuple(starts), tuple(n for _, n in parts)))
            parts.clear()

    for line in doc.lines:
        text = _clean(line.text)
        if _PAGE_FOOTER.match(text):
            continue
        if not text or ("|" in text and _TABLE_LINE.search(text)):  # the test of "|" spares most lines a scan
            close()
            continue
        if _is_heading_line(text):
            close()
            parts.append((text, line.no))
            close()
            continue
        parts.append((text, line.no))
        if text.endswith(_TERMINAL):
            close()
    close()
    return out


def headings(block: Block) -> list[Heading]:
    found = []
    for m in _MARKER.finditer(block.text):
        rank = int(m.lastgroup[1])
        rest = block.text[m.end():m.end() + HEADING_MAX]
        nxt = _MARKER.search(rest)
        stop = _HEADING_END.search(rest)
        cut = min(x.start() for x in (nxt, stop) if x) if (nxt or stop) else len(rest)
        found.append(Heading(rank, rest[:cut].strip(), m.start()))
    return found


def sentences(block: Block) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; a sentence ends at 。！？."""
    return [(m.start(), m.group(0)) for m in _SENTENCE.finditer(block.text) if m.group(0).strip()]


class Outline:
    """The headings in force anywhere in a document's prose. A block's headings are found only when
    a trail reaches back to it: most counts are read without asking for their headings."""

    def __init__(self, prose: list[Block]):
        self.blocks = prose
        self._headings: dict[int, list[Heading]] = {}

    def headings(self, block_no: int) -> list[Heading]:
        if block_no not in self._headings:
            self._headings[block_no] = headings(self.blocks[block_no])
        return self._headings[block_no]

    def trail(self, block_no: int, pos: int) -> tuple[Heading, ...]:
        """The headings in force at pos in a block, outermost first.

        A heading closes every earlier one of its rank or below, so the ones in force are those that
        outrank every heading after them: read backwards, each one ranking above all read so far,
        up to a rank-1 heading (nothing ranks above it) or the start of the document.
        """
        found: list[Heading] = []
        for no in range(block_no, -1, -1):
            for heading in reversed(self.headings(no)):
                if no == block_no and heading.start >= pos:
                    continue
                if not found or heading.rank < found[-1].rank:
                    found.append(heading)
                    if heading.rank == 1:
                        return tuple(reversed(found))
        return tuple(reversed(found))
