"""Label keys: the normalised form every catalog lookup matches on."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = "“”\"'‘’「」"
# Leading enumerations: 一、 (一) （一） 1. 1、 其中: — stripped repeatedly.
_ENUM = re.compile(r"^(其中[:：]?|[(（]?[一二三四五六七八九十]+[)）、.．]|[(（]\d+[)）]|\d+[.、．](?!\d))+")


def text_key(text: str) -> str:
    """NFKC (which also folds ．→.), no whitespace, no quotes; keeps the enumeration.

    Uncached: for prose, which does not repeat.
    """
    s = unicodedata.normalize("NFKC", text or "")
    # str.split() drops exactly what \s matches (NBSP and U+3000 included); both it and str.replace run in C,
    # where a deleting translate() maps a Chinese string char by char in Python objects (~10x slower).
    s = without_quotes("".join(s.split()))
    # Removing a space can leave a combining mark next to a letter ('R¸' → 'R\u0327'): fold again.
    return s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", s)


def without_quotes(text: str) -> str:
    """The text with its quotation marks removed."""
    for quote in _QUOTES:
        text = text.replace(quote, "")
    return text


@lru_cache(maxsize=16384)  # every catalog lookup keys the same few hundred printed labels again
def label_key(label: str) -> str:
    """text_key of a printed label (labels repeat across reports, so it is cached)."""
    return text_key(label)


@lru_cache(maxsize=16384)  # asked for the same printed labels as label_key
def strip_enumeration(label: str) -> str:
    """label_key without leading numbering such as '三、', '(二)', '4.', '其中:'."""
    return drop_enumeration(label_key(label))


def drop_enumeration(key: str) -> str:
    """A key (already normalised) without its leading numbering."""
    prev = None
    while prev != key:
        prev, key = key, _ENUM.sub("", key)
    return key


def enumeration_of(label: str) -> str:
    """The leading numbering as printed ('(三)', '4.'), '' when there is none."""
    s = label_key(label)
    m = _ENUM.match(s)
    return m.group(0) if m else ""
