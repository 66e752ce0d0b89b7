"""Number grammar shared by table cells and narrative prose."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Cell texts that mean "no value" — blank is not 0.
# '?' is what a page saved in GBK prints for a cell that held only a no-break space.
PLACEHOLDERS = {"", "-", "—", "--", "——", "/", "／", "无", "n/a", "N/A", "NA", "空", "\\", "－", "–", "?", "？"}

_CELL_NUMBER = re.compile(r"^([+\-−]?)([0-9]+(?:\.[0-9]+)?)\s*(万元|元|条|件|次|个|人次|人|份|期|篇|项|%)?$")


@lru_cache(maxsize=16384)  # tables repeat the same few cell texts (0, 1, 12 …) over and over
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


@lru_cache(maxsize=16384)  # asked of label cells too, whose ValueError parse_cell cannot cache
def is_number_cell(raw: str | None) -> bool:
    try:
        return parse_cell(raw) is not None
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# Prose numbers: counts with units and qualifiers, and percentages (formats.md §3.1).

from dataclasses import dataclass
from decimal import Decimal


EXACT, AT_LEAST, APPROX, AT_MOST = "exact", "at_least", "approx", "at_most"

# Qualifiers written before the number, after it (before the unit) and after the unit.
_PREFIX_QUALIFIERS = {
    "大约": APPROX, "约": APPROX, "近": AT_MOST, "不足": AT_MOST, "不到": AT_MOST,
    "逾": AT_LEAST, "超过": AT_LEAST, "超": AT_LEAST,
    "不少于": AT_LEAST, "不低于": AT_LEAST, "至少": AT_LEAST, "不超过": AT_MOST, "不多于": AT_MOST, "不高于": AT_MOST,
}
_INFIX_QUALIFIERS = {"余": AT_LEAST, "多": AT_LEAST}
_SUFFIX_QUALIFIERS = {"以上": AT_LEAST, "多": AT_LEAST, "左右": APPROX, "以下": AT_MOST}
# The bounds that include N (以上: ≥ N); every other at_least/at_most word excludes it (余, 逾: > N; 近, 不足: < N).
INCLUSIVE_BOUNDS = ("以上", "以下", "不少于", "不低于", "至少", "不超过", "不多于", "不高于")
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}

# Units of counted things; longest first so 人次 wins over 人. 类/级/号/年 are not units on purpose:
# 三类内部事务信息, 三级, 45号, 2017年 name things, they do not count them.
COUNT_UNITS = ("人次", "万元", "亿元", "元", "条", "件", "次", "个", "人", "份", "期", "篇", "项",
               "宗", "场", "家", "册", "所", "部", "批", "种", "名", "户", "处")

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ANY_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def has_fullwidth(text: str) -> bool:
    return _ANY_FULLWIDTH.search(text) is not None


def fold_width(text: str) -> str:
    """Full-width ASCII → ASCII, one character for one, so offsets stay valid."""
    # NFKC'd text has none left, and translating a Chinese string char by char is slow.
    return text.translate(_FULLWIDTH) if _ANY_FULLWIDTH.search(text) else text


def _alternatives(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _starting_with(first_chars: str, pattern: str) -> re.Pattern:
    """The pattern behind a lookahead on the characters its matches start with: a scan then passes
    over every other character without trying the pattern's lookbehinds and branches there."""
    return re.compile(f"(?=[{first_chars}])(?:{pattern})")


_CN_DIGITS = "零〇O一二两三四五六七八九十百千万亿"
_QUALIFIER_STARTS = "".join(sorted({w[0] for w in _PREFIX_QUALIFIERS}))
_ARABIC = r"\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?:\.\d+)?"
_UNIT = _alternatives(COUNT_UNITS)
# The number is matched atomically: a shorter reading of it would leave a digit, ',' or '.' where
# the unit (or 万/亿, 余/多, a space) must follow, so backtracking into it can only fail, slowly.
ARABIC_COUNT = (
    rf"(?<![\dA-Za-z.第#])(?P<pre>(?:{_alternatives(_PREFIX_QUALIFIERS)})\s*)?"
    rf"(?P<num>(?>{_ARABIC}))\s*(?P<mult>[万亿])?(?P<infix>[余多])?\s*(?P<unit>{_UNIT})"
    rf"(?P<suffix>{_alternatives(_SUFFIX_QUALIFIERS)})?")
# A Chinese numeral counts only as a run of its own (not after 第/每 or inside （五）) directly
# followed by a unit; a lone 一 is left out because it is an article (一个自然月, 一次性) far more
# often than a count.
_CN_COUNT = (
    rf"(?<![{_CN_DIGITS}第每前其之逐统唯单这那哪某几（(])(?P<cn_pre>(?:{_alternatives(_PREFIX_QUALIFIERS)}))?"
    rf"(?P<cn_num>[{_CN_DIGITS}]*[一二两三四五六七八九十][{_CN_DIGITS}]*)(?P<cn_infix>[余多])?(?P<cn_unit>{_UNIT})"
    rf"(?P<cn_suffix>{_alternatives(_SUFFIX_QUALIFIERS)})?")
# Both kinds in one scan. An Arabic and a Chinese count never overlap: a Chinese count holds one of
# 一…十, which no Arabic count holds, and no character that ends a count (a unit, 以上/多/左右/以下)
# is in a qualifier that starts one. So one scan finds exactly what a scan for each would.
_COUNT = _starting_with(rf"{_QUALIFIER_STARTS}{_CN_DIGITS}\d", f"{ARABIC_COUNT}|{_CN_COUNT}")
_PERCENT = re.compile(
    rf"(?<![\dA-Za-z.])(?P<pre>(?:{_alternatives(_PREFIX_QUALIFIERS)})\s*)?(?P<num>\d+(?:\.\d+)?)\s*%")

# What every count holds (full-width digits are \d too): a sentence without one has no count.
_ANY_NUMERAL = re.compile(r"[\d一二两三四五六七八九十]")

# Numbers that identify rather than count: masked (same length) before counts are searched.
_WEB = r"https?://\S+|www\.[\w./-]+"                              # URLs
_EMAIL = r"[\w.-]+@[\w.-]+"
_OTHER_IDS = (
    r"[〔\[［﹝【(（]\s*\d{2,4}\s*[〕\]］﹞】)）]\s*\d*\s*号?"    # document numbers 〔2017〕45号
    r"|[﹝〔]\d+号|\d+号"                                       # mangled 国办发﹝201724号, 45号
    r"|\d{3,4}-\d{7,8}|(?<!\d)1[3-9]\d{9}(?!\d)"                # phone numbers
    r"|(?:邮编|邮政编码)\s*[:：]?\s*\d{6}"                       # postcodes
    r"|\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"        # dates and years
    r"|\d{5,8}日|\d{1,2}\s*月\s*\d{1,2}\s*日"                    # mangled 201711日, 4月9日
    r"|第[^，,。；;、\s]{1,6}?[条项款章节]")                     # 第二十条第（五）项
_NOT_COUNTS = re.compile(f"{_WEB}|{_EMAIL}|{_OTHER_IDS}")
# The e-mail pattern tries every start in a run of Chinese characters (all \w) and finds nothing
# without an @; the same pattern less that branch masks the same text and is much faster.
_NOT_COUNTS_NO_EMAIL = _starting_with(r"hw〔\[［﹝【(（\d邮第", f"{_WEB}|{_OTHER_IDS}")


# Not frozen: a frozen dataclass's __init__ is several times slower, and prose yields dozens a report.
@dataclass(slots=True)
class Quantity:
    """A counted amount found in prose: value, qualifier, unit as printed and where it stands."""
    value: float
    qualifier: str
    unit: str
    start: int  # span of the whole expression (qualifiers, number, unit)
    end: int
    raw: str
    suspect: bool = False  # e.g. 93多个: an exact-looking number with a lower-bound qualifier


@dataclass(slots=True)
class Percent:
    value: float
    qualifier: str
    start: int
    end: int
    raw: str


def _qualifier(pre: str | None, infix: str | None, suffix: str | None) -> str:
    """The qualifier nearest the unit wins: suffix, then infix, then prefix."""
    if suffix:
        return _SUFFIX_QUALIFIERS[suffix]
    if infix:
        return _INFIX_QUALIFIERS[infix]
    pre = (pre or "").strip()
    return _PREFIX_QUALIFIERS[pre] if pre else EXACT


@lru_cache(maxsize=4096)  # the same few numerals (三, 十二) recur, and cn2an takes ~10 µs a call
def chinese_numeral(text: str) -> float:
    """三 → 3, 二十三 → 23, 两千 → 2000, 二O一一 → 2011 (the letter O and the circle ○ for 〇), 三点五 → 3.5."""
    import cn2an  # ~0.1 s to import: only a process that reads Chinese numerals pays it (the build process does not)

    return float(cn2an.cn2an(text.replace("O", "零").replace("〇", "零").replace("○", "零"), "normal"))


def _arabic(num: str, mult: str | None) -> float:
    digits = num.replace(",", "")
    # float(digits) is float(Decimal(digits)): both round the exact decimal value once.
    return float(Decimal(digits) * _MULTIPLIERS[mult]) if mult else float(digits)


def read_number(text: str) -> tuple[float, str]:
    """One number as written, with its qualifier: '3.4万余' → (34000.0, 'at_least'); '约60' → (60, 'approx').

    Raises ValueError when the text is not a single number.
    """
    s = re.sub(r"\s+", "", fold_width(text))
    m = re.fullmatch(
        rf"(?P<pre>{_alternatives(_PREFIX_QUALIFIERS)})?(?:(?P<num>{_ARABIC})(?P<mult>[万亿])?|(?P<cn>[{_CN_DIGITS}点]+))"
        rf"(?P<infix>[余多])?(?P<suffix>{_alternatives(_SUFFIX_QUALIFIERS)})?", s)
    if not m:
        raise ValueError(f"not a number: {text!r}")
    try:
        value = _arabic(m["num"], m["mult"]) if m["num"] else chinese_numeral(m["cn"])
    except (ValueError, ArithmeticError) as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    return value, _qualifier(m["pre"], m["infix"], m["suffix"])


def mask_identifiers(text: str) -> str:
    """Blank out URLs, document numbers, phone numbers, postcodes, dates and article numbers."""
    text = fold_width(text)
    identifiers = _NOT_COUNTS if "@" in text else _NOT_COUNTS_NO_EMAIL
    return identifiers.sub(_blank, text)


def _blank(m: re.Match) -> str:
    return " " * (m.end() - m.start())


# What stands right before a count's unit once identifiers are masked: a numeral, 万/亿, 余/多 or a
# space; where an identifier was blanked out, that identifier's last character (a digit, a space,
# 号, a closing bracket, 年/月/日, the 条项款章节 of 第…条). URLs and e-mail addresses can end in
# any character, so text that may hold one is only asked for the unit itself.
_BEFORE_UNIT = rf"[\d\s{_CN_DIGITS}余多号〕\]］﹞】)）年月日条项款章节]"


@lru_cache(maxsize=None)
def _unit_after_numeral(units: str) -> re.Pattern:
    # Searched from the unit: a pattern that starts with a few characters is scanned for in C, and
    # only at a unit does the lookbehind ask what stands before it (several times faster).
    return re.compile(f"[{units}](?<={_BEFORE_UNIT}.)")


def may_count(text: str, units: str) -> bool:
    """False only when find_quantities(text) has no count in one of these one-character units:
    a cheap test that spares most prose the masking and number grammar. The text is taken as
    already width-folded (fold_width), as prose blocks are."""
    if _unit_after_numeral(units).search(text):
        return True
    # A masked URL or e-mail address can end in any character, so with one about any unit may follow a count.
    return ("@" in text or "http" in text or "www." in text) and any(u in text for u in units)


def find_quantities(text: str) -> list[Quantity]:
    """Every count with a unit in a stretch of prose, in order; identifiers and ordinals are skipped."""
    if not _ANY_NUMERAL.search(text):
        return []  # many sentences count nothing: skip masking them
    found = []
    for m in _COUNT.finditer(mask_identifiers(text)):
        q = arabic_quantity(m, text) if m["num"] else _cn_quantity(m, text)
        if q:
            found.append(q)
    return found


def arabic_quantity(m: re.Match, text: str) -> Quantity:
    pre, num, mult, infix, unit, suffix = m.group("pre", "num", "mult", "infix", "unit", "suffix")
    start, end = m.span()
    suspect = bool(infix) and not mult and not num.endswith("0")
    return Quantity(_arabic(num, mult), _qualifier(pre, infix, suffix), unit, start, end, text[start:end], suspect)


def _cn_quantity(m: re.Match, text: str) -> Quantity | None:
    if m["cn_num"] == "一":
        return None
    try:
        value = chinese_numeral(m["cn_num"])
    except (ValueError, ArithmeticError):
        return None
    return Quantity(value, _qualifier(m["cn_pre"], m["cn_infix"], m["cn_suffix"]), m["cn_unit"], m.start(), m.end(),
                    text[m.start():m.end()])


def find_percents(text: str) -> list[Percent]:
    """Percentages: 占51%, 占 20.2%, 2.8 %, 占总数的70%, 大约60%."""
    masked = mask_identifiers(text)
    return [Percent(float(m["num"]), _qualifier(m["pre"], None, None), m.start(), m.end(), text[m.start():m.end()])
            for m in _PERCENT.finditer(masked)]
