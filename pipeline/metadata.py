"""Report metadata: title, issuing body, report year, published date and template."""
from __future__ import annotations

import datetime as dt
import re

from pipeline.numbers import chinese_numeral
from pipeline.read import Document
from schemas.vocabularies import REPORT_YEARS

_TITLE_TAIL = r"政府信息公开(?:工作)?(?:年度)?报告|政府信息公开年报"
# "诸城市人民政府2017年政府信息公开工作年度报告" or "2019年上海市人民政府办公厅政府信息公开工作年度报告"
# A year printed in Chinese numerals, digit by digit (二〇二〇; ○ and the letter O stand for 〇 too).
_CN_YEAR_DIGITS = "[〇○零O一二三四五六七八九]{4}"
_YEAR = rf"(\d{{4}}|{_CN_YEAR_DIGITS})"
_BODY_FIRST = re.compile(r"([\u4e00-\u9fff()（）·]{2,40}?)" + _YEAR + "年度?(" + _TITLE_TAIL + ")")
_YEAR_FIRST = re.compile(_YEAR + r"年度?([\u4e00-\u9fff()（）·]{2,40}?)(" + _TITLE_TAIL + ")")
# 某县人民政府政府信息公开工作年度报告（2020年度）
_YEAR_AFTER = re.compile(r"([\u4e00-\u9fff·]{2,40}?)(" + _TITLE_TAIL + r")[(（]" + _YEAR + r"年度?[)）]")
_CHROME_PREFIX = re.compile(r"^(?:标题|题目|title)[:：]\s*|^#+\s*|^当前位置[:：].*?\s")
_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_PUBLISHED_CUE = re.compile(r"(发布时间|发布日期|发文日期|成文日期|时间|日期)[:：]\s*")
_PERIOD = re.compile(r"统计期限[^。]{0,12}?(\d{4})\s*年\s*1\s*月\s*1\s*日")


# Formal documents print dates in Chinese numerals (二〇二一年一月二十八日): read as Arabic before the date
# patterns are tried.
_CN_YEAR = re.compile(_CN_YEAR_DIGITS + "(?=年)")
_CN_MONTH_DAY = re.compile(r"(?<=年)([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


def _year(printed: str) -> int:
    return int(printed) if printed.isdigit() else int(chinese_numeral(printed))


def arabic_dates(text: str) -> str:
    """'二〇二一年一月二十八日' → '2021年1月28日'; text without a Chinese-numeral year is returned as it is."""
    if not _CN_YEAR.search(text):
        return text
    text = _CN_YEAR.sub(lambda m: str(_year(m.group())), text)
    return _CN_MONTH_DAY.sub(lambda m: f"{int(chinese_numeral(m[1]))}月{int(chinese_numeral(m[2]))}日", text)


def _compact(text: str) -> str:
    # str.split() drops exactly what \s matches, several times faster than re.sub on a whole report.
    return "".join(text.split())


def find_title(doc: Document) -> tuple[str | None, str | None, int | None]:
    """(title, issuing body, report year) from the first lines that name the report."""
    head = [line.text for line in doc.lines[:60] if line.text.strip()]
    # Titles wrap over two lines in PDF copies; try each line joined with the next.
    singles = head
    pairs = (a + b for a, b in zip(head, head[1:]))  # only built when no single line names the report
    for candidates in (singles, pairs):
        for candidate in candidates:
            s = _compact(candidate)
            if "政府信息公开" not in s:  # both title patterns end in _TITLE_TAIL, which starts so
                continue
            s = _CHROME_PREFIX.sub("", s)
            m = _BODY_FIRST.search(s)
            if m and not re.search(r"\d", m.group(1)):
                body = _strip_body(m.group(1))
                return m.group(0), body or None, _year(m.group(2))
            m = _YEAR_FIRST.search(s)
            if m:
                body = _strip_body(m.group(2))
                return m.group(0), body or None, _year(m.group(1))
            m = _YEAR_AFTER.search(s)
            if m:
                body = _strip_body(m.group(1))
                return m.group(0), body or None, _year(m.group(3))
    return None, None, None


def _strip_body(body: str) -> str:
    body = re.sub(r"^(关于|当前位置|首页)", "", body)
    return body.strip("·()（） ")


def find_published_date(doc: Document) -> dt.date | None:
    for line in doc.lines[:40]:
        m = _PUBLISHED_CUE.search(text := arabic_dates(line.text))
        if m:
            d = _DATE.search(text, m.end())
            if d and d.start() - m.end() < 4 and (date := _to_date(d)):
                return date
    # A signature date at the very top "(2026年1月23日)" or the last lines of the report.
    for line in doc.lines[:8] + doc.lines[-12:]:
        s = arabic_dates(_compact(line.text))
        m = re.fullmatch(r"[(（]?((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日[)）]?", s)
        if m and (date := _to_date(m)):
            return date
    return None


def _to_date(m: re.Match) -> dt.date | None:
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def find_report_year(doc: Document, title_year: int | None, published: dt.date | None) -> int | None:
    """The title's year, else the statistics period's, else the year before publication: the first of them that a
    report can be of (REPORT_YEARS)."""
    m = _PERIOD.search(_compact(doc.text[:20000])) if title_year not in REPORT_YEARS else None
    candidates = (title_year, int(m.group(1)) if m else None, published.year - 1 if published else None)
    return next((year for year in candidates if year in REPORT_YEARS), None)


def detect_template(text: str, report_year: int | None) -> str:
    """legacy / std2019 / std2021 / unknown, from the cues of formats.md §1 (strongest first)."""
    s = _compact(text)
    new_format = "第二十条第(一)项" in s or "第二十条第（一）项" in s or "本年新收政府信息公开申请数量" in s
    if new_format:
        if "本年制发件数" in s or "申请人无正当理由逾期不补正" in s or "本年处理决定数量" in s:
            return "std2021"
        if any(cue in s for cue in ("本年新制作数量", "对外公开总数量", "采购项目数量", "(六)其他处理")):
            return "std2019"
        if report_year:
            return "std2021" if report_year >= 2021 else "std2019"
        return "unknown"
    legacy_cues = ("统计指标", "回应解读情况", "属于已主动公开范围数", "不同意公开答复数", "统计表",
                   "历年累计", "本期实际", "否决公开答复总数")
    if any(cue in s for cue in legacy_cues) or (report_year and report_year <= 2018):
        return "legacy"
    if report_year and report_year >= 2019:
        return "std2021" if report_year >= 2021 else "std2019"
    return "unknown"


def extract(doc: Document) -> dict:
    title, body, title_year = find_title(doc)
    published = find_published_date(doc)
    year = find_report_year(doc, title_year, published)
    return {
        "title": title,
        "jurisdiction": body,
        "report_year": year,
        "published_date": published,
        "template": detect_template(doc.text, year),
    }
