"""HTML → tokens: a scanner that reports the tags and text html.parser reports, at a fraction of its cost."""
from __future__ import annotations

import re
from html import unescape
from typing import Protocol

# The scanner reproduces html.parser.HTMLParser (convert_charrefs=True, fed the whole page then closed) as
# of CPython 3.11: the same tag, text and position for every token, malformed markup included, so the lines
# a page yields do not depend on which reader produced them. Its patterns are copied from there. One exception:
# a marked section html.parser raises on (Word's <![ if ...]>) is read as browsers read it (_marked_section).

# A well-formed start tag or end tag, and the text after it: for such tags the tolerant patterns below find
# the same name and the same end, so one match does their work. Attributes are separated by whitespace;
# a value is quoted, or bare up to whitespace or '>' (as there, <img src=a.png/> is not self-closing).
# Quantifiers are possessive where giving characters back could never let the rest match (a name is never
# followed by a name character, nor a quoted value by anything but its quote): the same matches, found
# without the engine keeping backtracking points (a quarter faster).
_TAG_AND_TEXT = re.compile(r"""
    (?:<([a-zA-Z][-.:a-zA-Z0-9_]*+)                                  # 1: start tag name
        (?:[ \t\n\r\f]++[a-zA-Z_:][-.:a-zA-Z0-9_]*+                     # attribute name
           (?:[ \t\n\r\f]*+=[ \t\n\r\f]*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`]++(?=[ \t\n\r\f>])))?
        )*
        [ \t\n\r\f]*(/?)>                                           # 2: '/' of <br/>
     | </\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>                            # 3: end tag name
    )([^<]*+)                                                        # 4: text up to the next tag
""", re.VERBOSE)
_TEXT = 4
_STARTTAG_OPEN = re.compile("<[a-zA-Z]")
_GT = re.compile(">")
_LOCATE_STARTTAG_END = re.compile(r"""
  <[a-zA-Z][^\t\n\r\f />\x00]*       # tag name
  (?:[\s/]*                          # optional whitespace before attribute name
    (?:(?<=['"\s/])[^\s/>][^\s/=>]*  # attribute name
      (?:\s*=+\s*                    # value indicator
        (?:'[^']*'                   # LITA-enclosed value
          |"[^"]*"                   # LIT-enclosed value
          |(?!['"])[^>\s]*           # bare value
         )
        \s*                          # possibly followed by a space
       )?(?:\s|/(?!>))*
     )*
   )?
  \s*                                # trailing whitespace
""", re.VERBOSE)
_TAGFIND = re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*")
_ATTRFIND = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*""")
_ENDTAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_COMMENT_CLOSE = re.compile(r"--\s*>")
_DECL_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_MARKED_SECTION_CLOSE = re.compile(r"]\s*]\s*>")
_MS_MARKED_SECTION_CLOSE = re.compile(r"]\s*>")
_CDATA_ELEMENTS = ("script", "style")
_CDATA_CLOSE = {tag: re.compile(r"</\s*%s\s*>" % tag, re.I) for tag in _CDATA_ELEMENTS}
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

INCOMPLETE = -1  # a construct the page never closes: html.parser then reads it as text


class Handler(Protocol):
    def start_tag(self, tag: str, pos: int) -> None: ...
    def end_tag(self, tag: str, pos: int) -> None: ...
    def data(self, text: str, pos: int) -> None: ...


def scan(page: str, handler: Handler) -> None:
    """Report start tags, end tags and text in page order (comments, declarations and the like are dropped);
    tag names lowercase, text with character references resolved, positions as offsets in the page."""
    start_tag, end_tag, data = handler.start_tag, handler.end_tag, handler.data
    n = len(page)
    i = 0
    cdata_elem = None  # inside <script> or <style> only the matching end tag is markup
    while i < n:
        tag = _TAG_AND_TEXT.match(page, i) if cdata_elem is None else None
        if tag is None:
            i, cdata_elem = _step(page, i, cdata_elem, handler)
            continue
        name, self_closing, end_name, text = tag.groups()
        if end_name:
            end_tag(end_name.lower(), i)
        else:
            name = name.lower()
            start_tag(name, i)
            if self_closing:
                end_tag(name, i)
            elif name in _CDATA_ELEMENTS:  # what follows is raw text, up to </script>
                cdata_elem = name
                i = tag.start(_TEXT)
                continue
        if text:
            data(unescape(text) if "&" in text else text, tag.start(_TEXT))
        i = tag.end()


def _step(page: str, i: int, cdata_elem: str | None, handler: Handler) -> tuple[int, str | None]:
    """One turn of html.parser's loop: the text up to the next markup, then that markup; returns where to go on."""
    n = len(page)
    if cdata_elem is None:
        j = page.find("<", i)
        if j < 0:
            j = n
    else:
        close = _CDATA_CLOSE[cdata_elem].search(page, i)
        if close is None:
            return n, cdata_elem  # an unclosed script runs to the end of the page, which html.parser never reports
        j = close.start()
    if i < j:
        handler.data(unescape(page[i:j]) if cdata_elem is None else page[i:j], i)
    i = j
    if i == n:
        return n, cdata_elem
    if _STARTTAG_OPEN.match(page, i):
        k, cdata_elem = _start_tag(page, i, handler)
    elif page.startswith("</", i):
        k, cdata_elem = _end_tag(page, i, cdata_elem, handler)
    elif page.startswith("<!--", i):
        k = _closed_by(_COMMENT_CLOSE, page, i + 4)
    elif page.startswith("<?", i):
        k = _closed_by(_GT, page, i + 2)
    elif page.startswith("<!", i):
        k = _declaration(page, i)
    else:  # a '<' that opens nothing
        handler.data("<", i)
        return i + 1, cdata_elem
    if k == INCOMPLETE:
        k = _incomplete_end(page, i)
        handler.data(unescape(page[i:k]) if cdata_elem is None else page[i:k], i)
    return k, cdata_elem


def _closed_by(pattern: re.Pattern, page: str, start: int) -> int:
    found = pattern.search(page, start)
    return found.end() if found else INCOMPLETE


def _incomplete_end(page: str, i: int) -> int:
    """Where html.parser ends the text it makes of an unclosed construct: past the next '>', else at the next '<'."""
    k = page.find(">", i + 1)
    if k >= 0:
        return k + 1
    k = page.find("<", i + 1)
    return k if k >= 0 else i + 1


def _start_tag(page: str, i: int, handler: Handler) -> tuple[int, str | None]:
    """Any start tag html.parser accepts; returns its end and the element whose raw text follows, if any."""
    endpos = _starttag_end(page, i)
    if endpos == INCOMPLETE:
        return INCOMPLETE, None
    name = _TAGFIND.match(page, i + 1)
    tag, k = name.group(1).lower(), name.end()
    while k < endpos:
        attr = _ATTRFIND.match(page, k)
        if not attr:
            break
        k = attr.end()
    end = page[k:endpos].strip()
    if end not in (">", "/>"):
        handler.data(page[i:endpos], i)
        return endpos, None
    handler.start_tag(tag, i)
    if end.endswith("/>"):
        handler.end_tag(tag, i)
        return endpos, None
    return endpos, tag if tag in _CDATA_ELEMENTS else None


def _starttag_end(page: str, i: int) -> int:
    j = _LOCATE_STARTTAG_END.match(page, i).end()
    after = page[j:j + 1]
    if after == ">":
        return j + 1
    if after == "/":
        return j + 2 if page.startswith("/>", j) else INCOMPLETE
    if after == "" or after in _ASCII_LETTERS or after in "=/":
        return INCOMPLETE
    return j if j > i else i + 1


def _end_tag(page: str, i: int, cdata_elem: str | None, handler: Handler) -> tuple[int, str | None]:
    """Any '</'; inside a script only its own end tag is one. Returns where to go on and the raw-text element."""
    gt = page.find(">", i + 1)
    if gt < 0:
        return INCOMPLETE, cdata_elem
    gtpos = gt + 1
    found = _ENDTAG.match(page, i)
    if found:
        tag = found.group(1).lower()
        if cdata_elem is not None and tag != cdata_elem:
            handler.data(page[i:gtpos], i)
            return gtpos, cdata_elem
        handler.end_tag(tag, i)
        return gtpos, None
    if cdata_elem is not None:
        handler.data(page[i:gtpos], i)
        return gtpos, cdata_elem
    name = _TAGFIND.match(page, i + 2)
    if not name:
        if page.startswith("</>", i):
            return i + 3, None
        return page.find(">", i + 2) + 1, None  # a bogus comment; the '>' found above is past i + 2
    handler.end_tag(name.group(1).lower(), i)
    return page.find(">", name.end()) + 1, None


def _declaration(page: str, i: int) -> int:
    if page.startswith("<![", i):
        return _marked_section(page, i)
    return _past_next_gt(page, i + 9 if page[i:i + 9].lower() == "<!doctype" else i + 2)  # else a bogus comment


def _marked_section(page: str, i: int) -> int:
    """<![CDATA[...]]>, <![if ...]> and kin, as html.parser reads them. Any other (<![ if>, as Word writes,
    or <![foo>) makes html.parser raise; it is read as browsers read it instead, a bogus comment up to the
    next '>' (HTML standard, markup declaration open state)."""
    start = i + 3
    if start == len(page):
        return INCOMPLETE
    name = _DECL_NAME.match(page, start)
    if not name:
        return _past_next_gt(page, start)
    if name.end() == len(page):
        return INCOMPLETE
    keyword = name.group().strip().lower()
    if keyword in {"temp", "cdata", "ignore", "include", "rcdata"}:
        return _closed_by(_MARKED_SECTION_CLOSE, page, start)
    if keyword in {"if", "else", "endif"}:
        return _closed_by(_MS_MARKED_SECTION_CLOSE, page, start)
    return _past_next_gt(page, start)


def _past_next_gt(page: str, start: int) -> int:
    gt = page.find(">", start)
    return gt + 1 if gt >= 0 else INCOMPLETE
