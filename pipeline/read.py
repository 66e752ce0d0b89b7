"""Read one raw report: bytes → decoded, NFKC-normalised lines that keep their raw line numbers."""
from __future__ import annotations

import codecs
import functools
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import zhconv
from charset_normalizer import from_bytes

from pipeline import html_lines


class UnreadableReport(Exception):
    """The file cannot be turned into report text (binary, empty, undecodable)."""


class Line(NamedTuple):  # immutable, and made three times faster than a frozen dataclass: a report has hundreds
    no: int  # 1-based line in the raw file where this text starts
    text: str  # NFKC, simplified characters; inner whitespace kept


@dataclass
class Document:
    source_path: str  # relative to the raw folder, '/'-separated
    report_id: str
    sha256: str
    encoding: str
    is_html: bool
    lines: list[Line]
    markup: str = ""  # NFKC'd HTML source, for readers that need the real table structure
    notes: list[str] = field(default_factory=list)  # what reading had to repair

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def report_id_for(source_path: str) -> str:
    """Stable id: the path under data/raw/ without its suffix, lowercase ASCII-safe."""
    stem = source_path.rsplit(".", 1)[0] if "." in source_path.rsplit("/", 1)[-1] else source_path
    rid = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", stem).strip("-").lower()
    return rid or hashlib.sha1(source_path.encode()).hexdigest()[:12]


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). BOMs honoured, UTF-16 without one, UTF-8 (a few damaged bytes replaced),
    else the GB18030 family, else detection; binary data is refused with a reason."""
    if not data or data.isspace():
        raise UnreadableReport("the file is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if b"\x00" in data[:4096]:
        found = _utf16_text(data)
        if found:
            return found
    head = data[:8192]
    if len(head) - len(head.translate(None, _CONTROL_BYTES)) > 0.02 * len(head):
        raise UnreadableReport("the file holds binary data, not report text; is it an attachment (PDF, image, "
                               "Word) saved under a text name?")
    try:
        text = data.decode("utf-8")
        if _cjk_share(text) < 0.1:
            # Short GBK text can also be valid UTF-8 (业 reads as Cyrillic ҵ): prefer the Chinese reading.
            gb_text = _gb18030_or_none(data)
            if gb_text is not None and _cjk_share(gb_text) - _cjk_share(text) >= 0.3:
                return gb_text, "gb18030"
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    # A truncated download or a few damaged bytes: still UTF-8, with those characters replaced.
    lossy = data.decode("utf-8", errors="replace")
    if lossy.count("\ufffd") <= 0.05 * len(lossy):
        return lossy, "utf-8"
    # GB18030 is a superset of GBK and GB2312, the encodings many government sites serve.
    gb_text = _gb18030_or_none(data)
    if gb_text is not None and _cjk_share(gb_text) > 0.2:
        return gb_text, "gb18030"
    # Only encodings report pages are served in: EBCDIC and the like would turn '%' into a newline.
    best = from_bytes(data, cp_isolation=PLAUSIBLE_ENCODINGS).best()
    if best is None:
        raise UnreadableReport("the bytes match no text encoding; is this a binary attachment?")
    return str(best), best.encoding


PLAUSIBLE_ENCODINGS = ["utf_8", "gb18030", "gbk", "big5", "big5hkscs", "utf_16", "cp1252", "latin_1"]

# C0 control bytes that text never holds (tab, newlines, form feed and escape excepted).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x1b), *range(0x1c, 0x20)])


def _gb18030_or_none(data: bytes) -> str | None:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _utf16_text(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: the byte order whose reading is Chinese (or plain ASCII) text."""
    even = data[: len(data) - len(data) % 2]  # a truncated download may cut the last code unit
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        text = even.decode(enc, errors="replace")
        sample = text[:5000]
        ascii_share = sum(1 for ch in sample if " " <= ch <= "~" or ch in "\n\r\t") / max(len(sample), 1)
        score = max(_cjk_share(text), ascii_share)
        if score > 0.5 and text.count("\ufffd") <= max(3, 0.01 * len(text)) and (best is None or score > best[0]):
            best = (score, text, enc)
    return (best[1], best[2]) if best else None


# In UTF-16-BE a BMP character is its code unit, high byte first: the CJK block U+4E00–U+9FFF is exactly the
# characters whose high byte is 4E–9F (surrogates are D8–DF). Counting those bytes runs in C.
_NOT_CJK_HIGH_BYTES = bytes(b for b in range(256) if not 0x4E <= b <= 0x9F)


def _cjk_share(text: str) -> float:
    sample = text[:5000]
    letters = len("".join(sample.split()))  # str.split drops exactly the characters regex \s matches
    high_bytes = sample.encode("utf-16-be", "surrogatepass")[0::2]
    return len(high_bytes.translate(None, _NOT_CJK_HIGH_BYTES)) / max(letters, 1)


# Characters that only occur in traditional script; a handful is enough to tell a mirror apart.
_TRADITIONAL_MARKERS = re.compile("[資訊開於與關請處圖書報縣區機構條貫應複議訴訟維辦廣東發現權審實續濟總數會]")


def to_simplified(text: str) -> str:
    hits = len(_TRADITIONAL_MARKERS.findall(text, 0, 20000))
    return zhconv.convert(text, "zh-cn") if hits >= 5 else text


# Control characters a report never means (NUL, terminal escapes): dropped so no output can carry them.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# Tables drawn with box-drawing characters (text exports of Word or PDF tables) become the ASCII tables the
# pipe and markdown readers know: walls and junctions '|', rules '-' ('├──┼──┤' → '|--|--|').
_BOX_DRAWING = re.compile("[\u2500-\u257f]")
_BOX_TO_ASCII = {code: "|" for code in range(0x2500, 0x2580)} | {ord(rule): "-" for rule in "─━┄┅┈┉╌╍═╴╶╸╺╼╾"}


def ascii_tables(text: str) -> str:
    return text.translate(_BOX_TO_ASCII) if _BOX_DRAWING.search(text) else text


# Mirrors of report pages sometimes annotate characters with their pinyin, '公開(kai)' (tone marks or a tone
# digit optional). Dropped only where a page does so repeatedly, so a lone '(a)' after a character stays. The
# pattern opens with the bracket, not the look-behind, so the engine skips ahead to brackets.
_PINYIN_FINALS = ("iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|an|ao|ei|en|er|ia|ie|in|iu|ou|ua|ue|ui|un|uo|"
                  "ve|a|e|i|o|u|v")
_TONED_VOWELS = {"a": "aāáǎà", "e": "eēéěè", "i": "iīíǐì", "o": "oōóǒò", "u": "uūúǔù", "v": "vüǖǘǚǜ"}
_INJECTED_PINYIN = re.compile(
    r"\((?<=[\u4e00-\u9fff]\()(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?(?:"
    + "".join(f"[{_TONED_VOWELS[c]}]" if c in _TONED_VOWELS else c for c in _PINYIN_FINALS) + r")[1-5]?\)")
PINYIN_RUN = 3  # annotations a page must hold before they are read as injected


def without_injected_pinyin(text: str) -> str:
    found = _INJECTED_PINYIN.findall(text)
    return _INJECTED_PINYIN.sub("", text) if len(found) >= PINYIN_RUN else text


def normalise_text(text: str) -> str:
    text = _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return without_injected_pinyin(to_simplified(nfkc(text)))


def nfkc(text: str) -> str:
    """unicodedata.normalize('NFKC'), without its slow path for the few full-width characters reports hold.

    Replacing a character by its own NFKC form leaves the text's NFKD unchanged, hence its NFKC too; what is
    left is then usually normal already, which normalize() tells by a quick check and returns as it is."""
    table = _nfkc_of_single_characters()
    found = table.pattern.search(text)
    while found:
        char = found.group()
        text = text.replace(char, table.replacement[char])
        # The text before is clean, and no replacement holds a character of the table: search on from here.
        found = table.pattern.search(text, found.start())
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class _CharTable:
    pattern: re.Pattern  # a class of the characters to replace
    replacement: dict[str, str]


@functools.cache
def _nfkc_of_single_characters() -> _CharTable:
    """Every BMP character NFKC changes, with its NFKC form (built once per process, ~10 ms)."""
    replacement = {}
    for code in range(0x10000):
        char = chr(code)
        normal = unicodedata.normalize("NFKC", char)
        if normal != char:
            replacement[char] = normal
    char_class = "".join(re.escape(char) for char in replacement)
    return _CharTable(re.compile(f"[{char_class}]"), replacement)


_BLOCK_TAGS = {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table", "section", "article", "title"}
_SKIP_TAGS = {"script", "style", "noscript", "head"}
_CELL_TAGS = {"td", "th"}


def collapse_spaces(text: str) -> str:
    """re.sub(r"\\s+", " ", text), several times faster: str.split splits at exactly the characters regex \\s matches."""
    words = text.split()
    if len(words) == 1 and len(words[0]) == len(text):
        return text
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


class _Row:
    """An open table row: its cells so far, where it starts, and whether it only lays the page out."""
    __slots__ = ("cells", "start", "in_cell", "layout")

    def __init__(self, start: int):
        self.cells: list[str] = []
        self.start = start
        self.in_cell = False
        self.layout = False  # a table opened inside one of its cells: its cells hold prose, not values


class _HtmlLines:
    """HTML tokens → text lines: block tags break lines, the cells of a table row are joined by ' | '.

    Tables nest: a table opening inside a cell makes that cell's row a layout row (pages laid out in a table),
    whose cells are read as prose. End tags a page may leave out (</td>, </tr>, HTML allows it) are implied
    as browsers imply them, so no row swallows the text after it.
    """

    def __init__(self, page: str):
        self.page = page
        self.lines: list[Line] = []
        self._buf: list[str] = []
        self._start = 1
        self._skip = 0
        self._rows: list[_Row | None] = [None]  # per open table, innermost last (first: rows outside any table)
        self._row: _Row | None = None  # where cell text goes: the innermost open row, unless it is a layout row
        self._breaks: list[tuple[int, int]] = []  # block boundaries in the open cell: (position in _buf, in page)
        self._counted_to, self._line_no = 0, 1

    def line_at(self, pos: int) -> int:
        # Tokens come in page order: counting the newlines since the last position asked is enough.
        self._line_no += self.page.count("\n", self._counted_to, pos)
        self._counted_to = pos
        return self._line_no

    def _set_row(self, row: _Row | None):
        """The innermost table's open row is now this one."""
        self._rows[-1] = row
        self._row = None if row is None or row.layout else row

    def flush(self):
        text = "".join(self._buf).strip()
        self._buf = []
        if text:
            self.lines.append(Line(self._start, text))

    def close(self):
        """The end of the page: rows left open are ended, as browsers end them."""
        while len(self._rows) > 1:
            self._close_table()
        self._close_row()
        self.flush()

    def _break(self, pos: int):
        """A block boundary: a line break in prose, remembered in a cell in case its row turns out to be layout."""
        if self._row is None:
            self.flush()
            self._start = self.line_at(pos)
        elif self._buf:
            self._breaks.append((len(self._buf), pos))

    def start_tag(self, tag: str, pos: int):
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "table":
            self._open_table(pos)
        elif tag == "tr":
            self._close_row()
            self.flush()
            self._set_row(_Row(self.line_at(pos)))
        elif tag in _CELL_TAGS:
            self._open_cell(pos)
        elif tag == "br" and self._row is not None:
            self._buf.append("")  # header fragments split by <br> are joined
            self._breaks.append((len(self._buf), pos))
        elif tag in _BLOCK_TAGS:
            self._break(pos)

    def end_tag(self, tag: str, pos: int):
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "table":
            if len(self._rows) > 1:
                self._close_table()
            self._break(pos)
        elif tag == "tr":
            self._close_row()
        elif tag in _CELL_TAGS:
            if self._row is not None:
                self._end_cell(self._row)
            elif self._rows[-1] is not None:  # a layout row's cell
                self._break(pos)
        elif tag in _BLOCK_TAGS:
            self._break(pos)

    def data(self, text: str, pos: int):
        if self._skip:
            return
        if not self._buf and self._row is None:
            self._start = self.line_at(pos)
        self._buf.append(collapse_spaces(text))

    def _open_table(self, pos: int):
        row = self._row
        if row is None:
            self.flush()
        else:
            self._lay_out(row)
        self._start = self.line_at(pos)
        self._rows.append(None)
        self._row = None

    def _close_table(self):
        self._close_row()
        self._rows.pop()
        self._set_row(self._rows[-1])

    def _open_cell(self, pos: int):
        row = self._rows[-1]
        if row is None and len(self._rows) > 1:  # a cell with no <tr> before it in a table: the row is implied
            self.flush()
            row = _Row(self.line_at(pos))
            self._set_row(row)
        if row is None:
            if self._buf:
                self._buf.append(" ")  # a cell outside any table runs on as text
        elif row.layout:
            self._break(pos)
        else:
            if row.in_cell:
                self._end_cell(row)  # the cell before was left open
            elif self._buf:
                self._buf.append(" ")
            row.in_cell = True
            self._breaks = [(len(self._buf), pos)]

    def _end_cell(self, row: _Row):
        row.cells.append("".join(self._buf).strip())
        self._buf, row.in_cell, self._breaks = [], False, []

    def _close_row(self):
        row = self._rows[-1]
        if row is None:
            return
        self._set_row(None)
        if row.layout:
            self.flush()
            return
        # What is left is an open cell's text, or text between cells: a cell only when it holds some
        # (the line break before </tr> of a pretty-printed page is no cell).
        left = "".join(self._buf).strip()
        if row.in_cell or left:
            row.cells.append(left)
        self._buf, self._breaks = [], []
        if any(c.strip() for c in row.cells):
            self.lines.append(Line(row.start, " | ".join(row.cells)))

    def _lay_out(self, row: _Row):
        """A table opens inside this row's open cell, so the row lays the page out: what its cells held so far
        is prose, a line per closed cell and per block of the open cell."""
        row.layout = True
        self._row = None
        self.lines.extend(Line(row.start, text) for text in row.cells if text)
        # Rare, so the blocks' lines are counted from the page's start rather than kept as the scan goes.
        starts = [(i, self.page.count("\n", 0, pos) + 1) for i, pos in self._breaks]
        if not starts or starts[0][0] != 0:
            starts.insert(0, (0, row.start))
        for (i, line_no), (j, _) in zip(starts, [*starts[1:], (len(self._buf), 0)]):
            text = "".join(self._buf[i:j]).strip()
            if text:
                self.lines.append(Line(line_no, text))
        row.cells, self._buf, self._breaks = [], [], []


def html_to_lines(markup: str) -> list[Line]:
    builder = _HtmlLines(markup)
    html_lines.scan(markup, builder)
    builder.close()
    return builder.lines


def looks_like_html(text: str) -> bool:
    head = text[:5000].lower()
    return bool(re.search(r"<(p|div|table|html|body|td|br)\b[^>]*>", head)) and head.count("<") > 5


def read_document(data: bytes, source_path: str) -> Document:
    """Decode and normalise one report; raises UnreadableReport with a reason a user can act on."""
    sha = hashlib.sha256(data).hexdigest()
    text, encoding = decode_bytes(data)
    if "\ufffd" in text and text.count("\ufffd") > 0.2 * max(len(text), 1):
        raise UnreadableReport(f"most of the bytes do not decode as {encoding}")
    text = normalise_text(text)
    if looks_like_html(text):
        lines = html_to_lines(text)
        markup, is_html = text, True
    else:
        lines = [Line(i, html.unescape(t) if "&" in t else t) for i, t in enumerate(ascii_tables(text).split("\n"), 1)]
        markup, is_html = "", False
    if not any(line.text.strip() for line in lines):
        raise UnreadableReport("the file has no text once markup is removed")
    return Document(source_path, report_id_for(source_path), sha, encoding, is_html, lines, markup)


def read_path(path: Path, raw_root: Path) -> Document:
    return read_document(path.read_bytes(), path.relative_to(raw_root).as_posix())
