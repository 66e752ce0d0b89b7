"""Consistency checks declared in schemas/checks.csv, evaluated per report and across reports → validation_results rows."""
from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import cached_property, lru_cache

from pipeline import catalog, stated_facts
from pipeline.labels import label_key
from pipeline.narrative import Walk, plans_of
from pipeline.numbers import parse_cell

# Layouts read by splitting runs or re-aligning PDF text: a broken table identity there is our reading first.
HEURISTIC_LAYOUTS = {"collapsed", "pdf_text"}
REQUEST_BASES_OUTCOME = ("answered", "processed_total", "closed", "received", "received+carried_over")
REQUEST_BASES_INTAKE = ("received", "received+carried_over", "answered", "processed_total", "closed")
TOTAL_COLUMN = "total"


# ---------------------------------------------------------------- catalogs

@lru_cache(maxsize=None)
def check_catalog() -> dict[str, dict]:
    return {row["check"]: row for row in catalog.load_csv("checks.csv")}


@lru_cache(maxsize=None)
def narrative_equivalents() -> dict[tuple[str, str], list[str]]:
    return {(r["stage"], r["measure"]): r["table_terms"].split("|") for r in catalog.load_csv("narrative_equivalents.csv")}


@lru_cache(maxsize=None)
def narrative_patterns(kind: str) -> list[tuple[dict, re.Pattern]]:
    """Phrase rows of schemas/narrative_statements.csv, each compiled to '<phrase> N 件 (占 P%)'."""
    tail = r"[^，。；;,\d]{0,4}?(\d+)\s*件(?:\s*[，,（(]\s*占?\s*(\d+(?:\.\d+)?)\s*%)?"
    return [(row, re.compile(f"(?:{row['pattern']}){tail}"))
            for row in catalog.load_csv("narrative_statements.csv") if row["kind"] == kind]


@lru_cache(maxsize=4096)  # called for every cell of every column check; reports print the same labels
def column_code(table: str, label: str | None) -> str | None:
    if label is None:
        return None
    key, codes = label_key(label), catalog.column_codes(table)  # checks name columns by code, whatever the template
    return codes.get(key, codes.get(re.sub(r"[(（].*$", "", key), key))


def applies(check: dict, template: str) -> bool:
    wanted = check["template"]
    return wanted == "any" or wanted == template or (wanted == "std" and template.startswith("std"))


@lru_cache(maxsize=None)
def checks_for(template: str) -> tuple[dict, ...]:
    """The catalog checks that apply to a template, in catalog order."""
    return tuple(check for check in check_catalog().values() if applies(check, template))


# ---------------------------------------------------------------- result rows

def result_row(check_id: str, report: dict, scope, status: str, expected, actual, message: str, line) -> dict:
    severity, responsibility = _blame(check_id, report.get("layout") in HEURISTIC_LAYOUTS)
    return {"report_id": report.get("report_id"), "scope": scope, "check": check_id, "status": status,
            "severity": severity, "responsibility": responsibility,
            "expected": _num(expected), "actual": _num(actual), "message": message, "source_line": line}


def _num(x):
    return None if x is None else round(float(x), 6)


@lru_cache(maxsize=None)  # asked for every result row; a handful of checks
def _blame(check_id: str, heuristic_layout: bool) -> tuple[str, str]:
    """A check's severity and who is responsible for a failure: 'layout' checks blame our reading of a
    heuristic layout, the source otherwise."""
    check = check_catalog()[check_id]
    responsibility = check["responsibility"]
    if responsibility == "layout":
        responsibility = "extraction" if heuristic_layout else "source"
    return check["severity"], responsibility


# Every cell of every identity is printed, and reports print the same few values. Typed: 1 prints '1' and 1.0
# prints '1' too, but True would print 'True' and must not share 1's entry.
@lru_cache(maxsize=4096, typed=True)
def _fmt(x) -> str:
    return "blank" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def _where(scope, column) -> str:
    parts = [p for p in (scope, column) if p]
    return f"[{' / '.join(parts)}] " if parts else ""


# ---------------------------------------------------------------- sums over cells

def _side(rows: list[dict], name) -> tuple[float, str, bool]:
    """One side of an identity: its sum with blanks taken as 0 (formats.md §2.5), its cells as text, and whether
    a cell is blank."""
    total, blank, pieces = 0.0, False, []
    for row in rows:
        value = row.get("value")
        if value is None:
            blank = True
        else:
            total += float(value)
        pieces.append(f"「{name(row)}」 {_fmt(value)}")
    return total, " + ".join(pieces), blank


def compare(op: str, lhs: float, rhs: float) -> bool:
    if op == "equal":
        return math.isclose(lhs, rhs, abs_tol=1e-6)
    if op == "at_least":
        return lhs >= rhs - 1e-6
    return lhs <= rhs + 1e-6


SYMBOL = {"equal": ("=", "≠"), "at_least": ("≥", "<"), "at_most": ("≤", ">")}


def identity(check: dict, report: dict, lhs: list[dict], rhs: list[dict], op: str, scope, where: str, name) -> dict:
    """One identity over the printed cells of its two sides → a result row. Blank cells count as 0 and the message
    says which, except in the columns the check declares blank_not_zero (a blank 表三 总计 is not printed, T3-2)."""
    check_id = check["check"]
    lhs_total, lhs_text, lhs_blank = _side(lhs, name)
    rhs_total, rhs_text, rhs_blank = _side(rhs, name)
    line = lhs[0].get("source_line")
    blanks = [r for r in lhs + rhs if r.get("value") is None] if lhs_blank or rhs_blank else []
    unprinted = _unprinted(check, blanks)
    if unprinted:
        expected = None if _holds(rhs, unprinted) else rhs_total
        actual = None if _holds(lhs, unprinted) else lhs_total
        return result_row(check_id, report, scope, "not_assessable", expected, actual,
                          f"{where}{lhs_text} vs {rhs_text}: a blank 「{unprinted[0].get('column')}」 is not a 0, "
                          "not assessed", line)
    ok = compare(op, lhs_total, rhs_total)
    if len(lhs) > 1:
        lhs_text += f" = {_fmt(lhs_total)}"
    if len(rhs) > 1:
        rhs_text += f" = {_fmt(rhs_total)}"
    note = f"; blank {', '.join('「' + name(r) + '」' for r in blanks)} taken as 0" if blanks else ""
    message = f"{where}{lhs_text} {SYMBOL[op][0 if ok else 1]} {rhs_text}{note}"
    return result_row(check_id, report, scope, "pass" if ok else "fail", rhs_total, lhs_total, message, line)


def _unprinted(check: dict, blanks: list[dict]) -> list[dict]:
    """The blank cells in a column the check declares blank_not_zero: not printed rather than 0."""
    if not check["blank_not_zero"]:
        return []
    columns = check["blank_not_zero"].split("|")
    return [r for r in blanks if column_code(r["table"], r.get("column")) in columns]


def _holds(side: list[dict], cells: list[dict]) -> bool:
    return any(row is cell for row in side for cell in cells)


@lru_cache(maxsize=None)  # the catalogs' few expressions, split for every group of every report
def _codes(expr: str) -> tuple[str, ...]:
    return tuple(c for c in expr.split("+") if c)


def _indicator_name(row: dict) -> str:
    return row.get("label", row["indicator"])


def _column_name(row: dict) -> str:
    return row.get("column") or ""


Groups = list[tuple[object, str, dict[str, dict]]]  # (scope, where to print, code → its first row) per group


def indicator_cells(table_rows: list[dict]) -> Groups:
    """One group per (scope, column), its indicators → their first rows: what indicator identities compare."""
    groups: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for row in table_rows:
        groups[(row.get("scope"), row.get("column"))].setdefault(row["indicator"], row)
    return [(scope, _where(scope, column), cells) for (scope, column), cells in groups.items()]


def column_cells(table_rows: list[dict]) -> Groups:
    """One group per (scope, indicator, label), its column codes → their first rows: what column identities compare."""
    groups: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for row in table_rows:
        code = column_code(row["table"], row.get("column"))
        groups[(row.get("scope"), row["indicator"], row.get("label"))].setdefault(code, row)
    return [(scope, _where(scope, label), cells) for (scope, _indicator, label), cells in groups.items()]


def identities(check: dict, report: dict, groups: Groups, name) -> list[dict]:
    """lhs/rhs codes (indicators, or columns for column_ kinds) evaluated in every group where both are printed."""
    lhs_codes, rhs_codes = _codes(check["lhs"]), _codes(check["rhs"])
    op = check["kind"].removeprefix("column_")
    out = []
    for scope, where, cells in groups:
        lhs = [cells[c] for c in lhs_codes if c in cells]
        if not lhs:
            continue
        rhs = [cells[c] for c in rhs_codes if c in cells]
        if rhs:
            out.append(identity(check, report, lhs, rhs, op, scope, where, name))
    return out


def scope_order(check: dict, report: dict, stats: list[dict]) -> list[dict]:
    """Every cell of the narrower scope ≤ the same cell of the wider one."""
    narrow, wide = check["lhs"], check["rhs"]
    by_scope = {narrow: {}, wide: {}}
    # Most reports print one scope: pick the two scopes' rows in one quick pass before keying them.
    for row in [row for row in stats if row.get("scope") in by_scope]:
        if row.get("value") is not None:
            by_scope[row["scope"]].setdefault((row["table"], row["indicator"], row.get("column")), row)
    pairs = [(cell, by_scope[wide][key]) for key, cell in by_scope[narrow].items() if key in by_scope[wide]]
    if not pairs:
        return []
    out = [result_row(check["check"], report, narrow, "fail", w["value"], n["value"],
                      f"{narrow} 「{n['label']}」 {_fmt(n['value'])} > {wide} {_fmt(w['value'])}", n.get("source_line"))
           for n, w in pairs if n["value"] > w["value"] + 1e-6]
    return out or [result_row(check["check"], report, narrow, "pass", None, None,
                              f"all {len(pairs)} {narrow} cells ≤ their {wide} cells", None)]


def cell_values(check: dict, report: dict, stats: list[dict]) -> list[dict]:
    """Every printed cell a whole number ≥ 0, but in a signed column (≥ 0 waived) or a decimal unit (whole waived)."""
    decimal_units = frozenset(check["rhs"].split("|"))
    out, printed = [], 0
    for row in stats:
        value = row.get("value")
        if value is None and (value := _withheld_negative(row.get("value_raw"))) is None:
            continue
        printed += 1
        if value < 0 or not float(value).is_integer():  # the usual cell passes on these two tests alone
            out += _odd_cell(check, report, row, float(value), decimal_units)
    if not printed:
        return []
    return out or [result_row(check["check"], report, None, "pass", None, None,
                              f"all {printed} printed cells are whole numbers ≥ 0, or signed or decimal where their column allows it", None)]


def _withheld_negative(raw: str | None) -> float | None:
    """The number a cell prints negative where parse left it empty (parse.counts_not_negative), else None."""
    if not raw or raw.lstrip()[:1] not in ("-", "−"):
        return None
    try:
        return parse_cell(raw)
    except ValueError:
        return None


def _odd_cell(check: dict, report: dict, row: dict, value: float, decimal_units: frozenset) -> list[dict]:
    """The result row of a cell that is negative or fractional, when its column and unit do not allow it."""
    negative = value < 0 and not catalog.signed_cell(row["table"], row.get("column"))
    fraction = not value.is_integer() and row.get("unit") not in decimal_units
    if not (negative or fraction):
        return []
    allowed = 0.0 if negative else float(math.trunc(value))
    why = " and ".join(w for w, bad in (("negative in an unsigned column", negative),
                                         (f"a fraction of {row.get('unit')}", fraction)) if bad)
    cell = "「" + "」 「".join(p for p in (row.get("label"), row.get("column")) if p) + "」"
    scope = f"[{row['scope']}] " if row.get("scope") else ""
    return [result_row(check["check"], report, row.get("scope"), "fail", allowed, value,
                       f"{scope}{cell} prints {row.get('value_raw') or _fmt(value)}: {why}", row.get("source_line"))]


# ---------------------------------------------------------------- narrative vs table

class TableOutcomes:
    """Some application_outcomes of one report (its table's, or its narrative's totals), looked up by
    scope/stage/measure/applicant."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        # Every narrative statement looks up several measures: index the rows once, in their order.
        self.by_measure: dict[tuple, list[dict]] = defaultdict(list)
        by_measure = self.by_measure
        for o in rows:
            by_measure[o.get("scope"), o["stage"], o["measure"]].append(o)
        self.scopes = list(dict.fromkeys(scope for scope, _stage, _measure in by_measure))

    def scopes_for(self, scope) -> list:
        return [scope] if scope in self.scopes else self.scopes

    def measure(self, scope, stage: str, measure: str, applicant: str) -> tuple[float | None, list[dict]]:
        rows = self.by_measure.get((scope, stage, measure))
        if not rows:
            return None, []
        exact = [o for o in rows if o["applicant"] == applicant]
        if not exact and applicant == "all":
            exact = [o for o in rows if o["applicant"] != "all"]  # a blank 总计: add the applicant columns
        return (sum(o["count"] for o in exact), exact) if exact else (None, [])

    def expression(self, scope, expr: str, applicant: str) -> tuple[float | None, list[dict]]:
        """'stage.measure+stage.measure' → its value (absent terms 0 while others are present)."""
        total, used = None, []
        for stage, measure in _terms(expr):
            value, rows = self.measure(scope, stage, measure, applicant)
            if value is not None:
                total, used = (total or 0) + value, used + rows
        return total, used


@lru_cache(maxsize=None)  # the catalogs' few expressions, read for every statement of every report
def _terms(expr: str) -> tuple[tuple[str, str], ...]:
    """'stage.measure+stage.measure' → its (stage, measure) terms."""
    return tuple(tuple(term.split(".")) for term in expr.split("+"))


def _agrees(stated: float, table: float, qualifier: str) -> bool:
    if qualifier == "at_least":
        return table >= stated - 1e-6
    if qualifier == "at_most":
        return table <= stated + 1e-6
    if qualifier == "approx":
        return abs(table - stated) <= max(1.0, 0.05 * stated)
    return math.isclose(table, stated, abs_tol=1e-6)


def _labels(rows: list[dict], limit: int = 3) -> str:
    names = list(dict.fromkeys(r.get("label", "") for r in rows))
    return "、".join(names[:limit]) + ("…" if len(names) > limit else "")


BOUND_NOTES = {"at_least": " (余/以上: a lower bound)", "at_most": " (an upper bound)"}


def narrative_vs_table(check: dict, report: dict, narrative: list[dict], table: TableOutcomes) -> list[dict]:
    out = []
    for row in narrative:
        qualifier = row.get("qualifier") or "exact"
        found, agrees = table_reading(row, qualifier, table)
        if found is None:
            continue
        scope, value, used = found
        where = f" ({scope})" if scope else ""
        message = (f"narrative 「{row.get('label', '')}」 {_fmt(row['count'])}{BOUND_NOTES.get(qualifier, '')} "
                   f"{'agrees with' if agrees else 'vs'} table{where} {_labels(used)} = {_fmt(value)}")
        out.append(result_row(check["check"], report, row.get("scope"), "pass" if agrees else "fail", value,
                              row["count"], message, row.get("source_line")))
    return out


def table_reading(row: dict, qualifier: str, table: TableOutcomes) -> tuple[tuple | None, bool]:
    """The first (scope, value, cells) of the table's equivalents of a narrative count that agrees with it, else
    the first the table has at all (None when it has none), and whether it agrees. Tried in order, so the search
    stops at the first agreeing one."""
    stage, measure = row["stage"], row["measure"]
    terms = narrative_equivalents().get((stage, measure)) or [f"{stage}.{measure}"]
    first = None
    for scope in table.scopes_for(row.get("scope")):
        for expr in terms:
            value, used = table.expression(scope, expr, row["applicant"])
            if value is None:
                continue
            if _agrees(row["count"], value, qualifier):
                return (scope, value, used), True
            first = first or (scope, value, used)
    return first, False


# ---------------------------------------------------------------- stated percentages

def decimals(pct: float) -> int:
    text = repr(float(pct))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def share_verdict(count: float, stated: float, bases: list[tuple[float, str]]) -> tuple[str, tuple[float, str] | None]:
    """'pass', 'truncated' or 'fail', with the base that explains it (or the first base when none does)."""
    d = decimals(stated)
    tolerance = 0.5 * 10 ** -d + 1e-9
    usable = [(b, name) for b, name in bases if b and b > 0]
    for base in usable:
        if abs(count / base[0] * 100 - stated) <= tolerance:
            return "pass", base
    for base in usable:
        if math.isclose(math.floor(count / base[0] * 100 * 10 ** d + 1e-9) / 10 ** d, stated, abs_tol=1e-9):
            return "truncated", base
    return "fail", (usable[0] if usable else None)


class BaseSources:
    """Where a share's total is looked up: the narrative's own totals first, then the table's. Built once per
    report; the bases of one (stage, kind of group, scope) are worked out once, as several shares ask for them."""

    def __init__(self, outcomes: list[dict], narrative: list[dict]):
        self._outcomes, self._narrative = outcomes, narrative
        self._bases: dict[tuple, list[tuple[float, str]]] = {}

    # Indexed on first use: a report whose narrative states no count or share never looks a total up.
    @cached_property
    def narrative(self) -> TableOutcomes:
        return TableOutcomes([o for o in self._narrative if o.get("share_stated_pct") is None])

    @cached_property
    def table(self) -> TableOutcomes:
        return TableOutcomes([o for o in self._outcomes if o.get("source") == "table"])

    def candidate_bases(self, row: dict) -> list[tuple[float, str]]:
        """Totals a share may be taken of: the narrative's own totals first, then the table's (formats.md §3.3)."""
        key = (row["stage"], row.get("outcome_group") == "intake", row.get("scope"))
        if key not in self._bases:
            self._bases[key] = self._find_bases(*key)
        return self._bases[key]

    def _find_bases(self, stage: str, intake: bool, scope) -> list[tuple[float, str]]:
        if stage != "request":
            names = [f"{stage}.total"]
        else:
            order = REQUEST_BASES_INTAKE if intake else REQUEST_BASES_OUTCOME
            names = ["+".join(f"request.{m}" for m in name.split("+")) for name in order]
        bases = []
        for source, label in ((self.narrative, "narrative"), (self.table, "table")):
            for scope_tried in source.scopes_for(scope):
                for expr in names:
                    value, _ = source.expression(scope_tried, expr, "all")
                    if value and (value, expr) not in [(b, e.split(" ")[0]) for b, e in bases]:
                        bases.append((value, f"{expr} ({label})"))
        return bases


def narrative_shares(check: dict, report: dict, shares: list[dict], sources) -> list[dict]:
    out = []
    for row in shares:
        out += share_rows(report, row.get("scope"), row.get("label", ""), row["count"], row["share_stated_pct"],
                          sources.candidate_bases(row), row.get("source_line"))
    return out


def share_rows(report, scope, label, count, stated, bases, line) -> list[dict]:
    verdict, base = share_verdict(count, stated, bases)
    if base is None:
        return [result_row("narrative_share", report, scope, "not_assessable", None, stated,
                           f"「{label}」 {_fmt(count)} 占{_fmt(stated)}%: no total to take the share of", line)]
    share = round(count / base[0] * 100, 4)
    tail = f"{_fmt(count)}/{_fmt(base[0])} ({base[1].replace('request.', '')}) = {share:.2f}%"
    if verdict == "truncated":
        return [result_row("narrative_share_truncated", report, scope, "fail", share, stated,
                           f"「{label}」 占{_fmt(stated)}% is truncated, not rounded: {tail}", line)]
    status = "pass" if verdict == "pass" else "fail"
    tried = "" if status == "pass" else \
        f"; no candidate base gives it ({', '.join(_fmt(b) for b in dict.fromkeys(b for b, _ in bases))})"
    return [result_row("narrative_share", report, scope, status, share, stated,
                       f"「{label}」 占{_fmt(stated)}%: {tail}{tried}", line)]


def forced_rounding(check: dict, report: dict, shares: list[dict], sources) -> list[dict]:
    """Shares of one sentence that exhaust their base and are printed to sum to exactly 100."""
    groups = defaultdict(list)
    for row in shares:
        groups[(row.get("scope"), row.get("source_line"))].append(row)
    out = []
    for (scope, line), rows in groups.items():
        total = sum(r["count"] for r in rows)
        bases = [b for b, _ in sources.candidate_bases(rows[0])]
        if len(rows) < 3 or not any(math.isclose(total, b) for b in bases):
            continue
        d = max(decimals(r["share_stated_pct"]) for r in rows)
        stated = round(sum(r["share_stated_pct"] for r in rows), 6)
        rounded = round(sum(round(r["count"] / total * 100, d) for r in rows), 6)
        forced = math.isclose(stated, 100) and not math.isclose(rounded, 100)
        names = "、".join(r.get("label", "") for r in rows)
        out.append(result_row(check["check"], report, scope, "fail" if forced else "pass", rounded, stated,
                              f"shares of {names} printed to sum to {stated:g}; correctly rounded they sum to "
                              f"{rounded:g}" + (" (forced rounding)" if forced else ""), line))
    return out


# ---------------------------------------------------------------- narrative statements of table cells

def _runs(texts: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of non-empty texts."""
    ends = [i for i, text in enumerate(texts) if not text] + [len(texts)]
    starts = [0] + [end + 1 for end in ends[:-1]]
    return [(start, end) for start, end in zip(starts, ends) if end > start]


def _line_at(parts: list[str], lines: list, offset: int) -> int:
    """The line a match at this offset of the joined block starts on: the highest number of the lines that
    start at or before it. Worked out per match, as few blocks hold one."""
    start, line_no = 0, lines[0].no
    for text, line in zip(parts, lines):
        if start > offset:
            break  # parts are never empty, so the lines' offsets only grow
        line_no = max(line_no, line.no)
        start += len(text)
    return line_no


# A space between two printed characters; written space-first so the scan jumps from space to space.
_INNER_SPACE = re.compile(r" (?<=\S )(?=\S)")


def compact(text: str) -> str:
    """The text without its inner spaces: '208 件' → '208件'."""
    return _INNER_SPACE.sub("", text)


class Statements:
    """What one document's narrative states in the phrases of schemas/narrative_statements.csv ('不予公开 N 件'):
    its text blocks are read once, on first use, for both statement checks."""

    def __init__(self, doc):
        self.doc = doc

    @cached_property
    def blocks(self) -> list[tuple[str, list[str], list, int]]:
        """(text without inner spaces, its lines' texts, its lines, block id) per text block that may hold a
        statement. Blocks are runs of non-empty lines joined without separators (PDF and markdown copies break
        words across lines); offsets in the compacted text stay close enough to cite a line."""
        lines = self.doc.lines
        texts = [line.text.strip() for line in lines]
        blocks = []
        for block, (start, end) in enumerate(_runs(texts)):
            text = "".join(texts[start:end])
            if "件" in text:  # every statement pattern ends in '<N> 件': a block without 件 cannot hold one
                blocks.append((compact(text), texts[start:end], lines[start:end], block))
        return blocks

    def of_kind(self, kind: str) -> list[dict]:
        out = []
        for text, parts, lines, block in self.blocks:
            for row, pattern in narrative_patterns(kind):
                for m in pattern.finditer(text):
                    out.append({"phrase": row["phrase"], "indicators": _codes(row["indicators"]),
                                "column": row["column"], "count": float(m.group(1)),
                                "pct": float(m.group(2)) if m.group(2) else None, "text": m.group(0),
                                "line": _line_at(parts, lines, m.start()), "block": block})
        return out


def filled_cells(table_rows: list[dict]) -> dict[str, dict[str, dict]]:
    """indicator → column code → its last filled row: what narrative statements are summed against."""
    cells: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in table_rows:
        if row.get("value") is not None:
            cells[row["indicator"]][column_code(row["table"], row.get("column"))] = row
    return cells


def table_cell_sum(cells: dict[str, dict[str, dict]], indicators, column: str):
    """Σ of the cells (one column code) of some indicators; a blank 总计 falls back to Σ applicant columns."""
    total, used = None, []
    for indicator in indicators:
        by_col = cells.get(indicator, {})
        picked = [by_col[column]] if column in by_col else (
            [r for c, r in by_col.items() if c != TOTAL_COLUMN] if column == TOTAL_COLUMN else [])
        if picked:
            total, used = (total or 0) + sum(float(r["value"]) for r in picked), used + picked
    return total, used


def narrative_documents(check: dict, report: dict, tables: Tables, stated: Statements) -> list[dict]:
    found = stated.of_kind("document")
    cells = tables.cells(filled_cells, "active_disclosure") if found else {}
    out = []
    for st in found:
        value, used = table_cell_sum(cells, st["indicators"], st["column"])
        if value is None:
            continue
        ok = math.isclose(value, st["count"])
        cell = f"{used[0].get('label')} {used[0].get('column')}" if used else st["phrase"]
        out.append(result_row(check["check"], report, None, "pass" if ok else "fail", value, st["count"],
                              f"narrative 「{st['text']}」 {'=' if ok else '≠'} table 「{cell}」 {_fmt(value)}",
                              st["line"]))
    return out


def narrative_groups(check: dict, report: dict, tables: Tables, sources, stated: Statements) -> list[dict]:
    """Group totals of the narrative vs 表三, their shares, and whether they add up to the 办理 total."""
    found = stated.of_kind("group")
    if not found:
        return []
    cells = tables.cells(filled_cells, "requests")
    by_block = defaultdict(dict)
    for st in found:  # a paragraph printed twice states each group twice: once is enough
        by_block[st["block"]].setdefault((st["phrase"], st["count"]), st)
    processed, _ = table_cell_sum(cells, ["req_processed_total"], TOTAL_COLUMN)
    out = []
    for stated_once in by_block.values():
        group = list(stated_once.values())
        if len({st["phrase"] for st in group}) < 2:
            continue  # a lone 不予公开 is not the outcome summary
        for st in group:
            out += _group_row(check, report, cells, st)
            if st["pct"] is not None:
                bases = sources.candidate_bases({"stage": "request", "outcome_group": "total"})
                out += share_rows(report, None, st["phrase"], st["count"], st["pct"], bases, st["line"])
        if processed is not None and splits_outcomes(group):
            total = sum(st["count"] for st in group)
            ok = math.isclose(total, processed)
            parts = " + ".join(f"{st['phrase']} {_fmt(st['count'])}" for st in group)
            out.append(result_row(check["check"], report, None, "pass" if ok else "fail", processed, total,
                                  f"narrative {parts} = {_fmt(total)} {'=' if ok else '≠'} table （七）总计 "
                                  f"{_fmt(processed)}", group[0]["line"]))
    return out


@lru_cache(maxsize=None)
def group_outcomes() -> frozenset[str]:
    """Every 表三 outcome some narrative group names: what （七）总计 adds up."""
    return frozenset(code for row, _ in narrative_patterns("group") for code in _codes(row["indicators"]))


def splits_outcomes(group: list[dict]) -> bool:
    """Whether the stated groups name every outcome exactly once: a partial list, or 予以公开及部分公开 next to
    予以公开, does not add up to （七）总计."""
    named = [code for st in group for code in st["indicators"]]
    return len(named) == len(set(named)) and group_outcomes() <= set(named)


def _group_row(check, report, cells, st) -> list[dict]:
    value, used = table_cell_sum(cells, st["indicators"], st["column"])
    if value is None:
        return []
    ok = math.isclose(value, st["count"])
    return [result_row(check["check"], report, None, "pass" if ok else "fail", value, st["count"],
                       f"narrative 「{st['text']}」 {'=' if ok else '≠'} table {_labels(used, 4)} = {_fmt(value)}",
                       st["line"])]


# ---------------------------------------------------------------- prose statements of legacy table facts

REGION_SCOPE = "本行政区域"
CUMULATIVE_COLUMN = "历年"  # 历年累计 sums every year: the year's facts are in the other columns


def year_cells(table_rows: list[dict]) -> dict[tuple, list[dict]]:
    """(scope, indicator) → its filled cells of the report year: what a prose fact is compared with."""
    cells: dict[tuple, list[dict]] = defaultdict(list)
    for row in table_rows:
        if row.get("value") is not None and CUMULATIVE_COLUMN not in (row.get("column") or ""):
            cells[row.get("scope"), row["indicator"]].append(row)
    return cells


def narrative_facts(check: dict, report: dict, tables: Tables, doc, prose) -> list[dict]:
    """Prose statements of table facts (schemas/stated_facts.csv) vs the table, qualifier-aware; a statement of
    the whole jurisdiction (全市…) binds to 本行政区域, any other may be either scope's. Plans are told by the
    walk's rule (narrative.Plans) as the narrative rows are."""
    table_rows = tables.rows.get(check["table"])
    if not table_rows:
        return []
    # The 统计表 closes a legacy report: its prose ends on the table's first line, and the cells are not read.
    first = min((row["source_line"] for row in table_rows if row.get("source_line")), default=None)
    plans = prose.plans if isinstance(prose, Walk) else plans_of(doc, report.get("report_year"))
    facts = stated_facts.read(plans, first)
    if not facts:
        return []
    cells = tables.cells(year_cells, check["table"])
    scopes = list(dict.fromkeys(scope for scope, _ in cells))
    out = []
    for fact in facts:
        wanted = [REGION_SCOPE] if fact.whole and REGION_SCOPE in scopes else scopes
        readings = [r for r in (_fact_reading(cells, scope, fact.row.indicators) for scope in wanted) if r]
        if readings:
            out += _fact_rows(check, report, fact, readings, fact.line)
    return out


def _fact_reading(cells, scope, indicators) -> tuple | None:
    """(scope, Σ the indicators' cells, the cells) where the table prints every one of them."""
    used = [cells.get((scope, code)) for code in indicators]
    if not all(used):
        return None
    rows = [row for rows in used for row in rows[:1]]
    return scope, sum(float(r["value"]) for r in rows), rows


def _fact_rows(check, report, fact, readings, line) -> list[dict]:
    q = fact.quantity
    agreeing = [r for r in readings if stated_facts.claims(q, r[1])]
    scope, value, used = (agreeing or sorted(readings, key=lambda r: abs(r[1] - q.value)))[0]
    printed = " + ".join(f"「{r['label']}」 {r.get('value_raw') or _fmt(r['value'])}" for r in used)
    if len(used) > 1:
        printed += f" = {_fmt(value)}"
    where = f"[{scope}] " if scope else ""
    verdict = "agrees with" if agreeing else "contradicts"
    message = (f"narrative 「{fact.statement}」 ({q.raw}: {stated_facts.meaning(q)}) {verdict} table {where}{printed}")
    out = [result_row(check["check"], report, scope, "pass" if agreeing else "fail", value, q.value, message, line)]
    if q.unit in fact.row.other_kind_units:
        table_unit = used[0].get("unit") or "?"
        out.append(result_row("narrative_fact_unit", report, scope, "fail", value, q.value,
                              f"narrative 「{fact.statement}」 counts {q.unit} where table {where}「{used[0]['label']}」 "
                              f"counts {table_unit}: not the same kind of count", line))
    return out


def malformed_qualifiers(check: dict, report: dict, prose) -> list[dict]:
    """Counts such as 93多个: 余/多 after a number that is not a round ten claims a bound it cannot mean; the value
    is kept as printed."""
    out = []
    for sentence in prose:
        for q in sentence.quantities:
            if q.suspect:
                mark = "余" if "余" in q.raw else "多"
                line = sentence.block.line_at(sentence.start + q.start)
                out.append(result_row(check["check"], report, None, "fail", q.value, q.value,  # kept as printed
                                      f"「{q.raw}」: {mark} after {q.value:g}, which is not a round ten; read as "
                                      f"{q.value:g}", line))
    return out


# ---------------------------------------------------------------- engine

class Tables:
    """A report's statistics rows by table; a table's cells are grouped once, on first use, then shared by every
    check on that table."""

    def __init__(self, stats: list[dict]):
        self.rows: dict[str, list[dict]] = defaultdict(list)
        for row in stats:
            self.rows[row.get("table")].append(row)
        self._grouped: dict[tuple, object] = {}

    def cells(self, grouping, table: str):
        key = (grouping, table)
        if key not in self._grouped:
            self._grouped[key] = grouping(self.rows.get(table, []))
        return self._grouped[key]


def run_report(result, doc=None, prose=None) -> list[dict]:
    """Every catalog check that applies to the report's template; a check that finds nothing printed adds no row.

    `doc` (the report's Document) enables the checks that read narrative statements the outcome
    extractor does not keep (表二 document counts, outcome-group totals, legacy facts); `prose` (its
    narrative.walk) the check of malformed qualifiers, and the legacy facts its blocks and plans.
    """
    report, stats, outcomes = result.report, result.statistics, result.application_outcomes
    doc = doc if doc is not None else getattr(result, "document", None)
    template = report.get("template") or "unknown"
    tables = Tables(stats)
    narrative = [row for row in outcomes if row.get("source") == "narrative"]
    shares = [row for row in narrative if row.get("share_stated_pct") is not None]
    sources = BaseSources(outcomes, narrative)  # narrative and table totals, looked up by several checks
    stated = Statements(doc)  # the narrative's statements of table cells, read by two checks
    out = []
    for check in checks_for(template):
        kind = check["kind"]
        if kind in ("equal", "at_least", "at_most"):
            out += identities(check, report, tables.cells(indicator_cells, check["table"]), _indicator_name)
        elif kind.startswith("column_"):
            out += identities(check, report, tables.cells(column_cells, check["table"]), _column_name)
        elif kind == "scope_at_most":
            out += scope_order(check, report, stats)
        elif kind == "cell_values":
            out += cell_values(check, report, stats)
        elif kind == "narrative_vs_table" and narrative:
            out += narrative_vs_table(check, report, narrative, sources.table)
        elif kind == "narrative_share":
            out += narrative_shares(check, report, shares, sources)
        elif kind == "narrative_forced_rounding":
            out += forced_rounding(check, report, shares, sources)
        elif kind == "narrative_documents" and doc is not None:
            out += narrative_documents(check, report, tables, stated)
        elif kind == "narrative_groups" and doc is not None:
            out += narrative_groups(check, report, tables, sources, stated)
        elif kind == "narrative_facts" and doc is not None:
            out += narrative_facts(check, report, tables, doc, prose)
        elif kind == "narrative_qualifier" and prose:
            out += malformed_qualifiers(check, report, prose)
    return dedupe(out)


def dedupe(rows: list[dict]) -> list[dict]:
    """One row per finding: the same share can be read both as an outcome row and as a group statement."""
    seen, out = set(), []
    for row in rows:
        # A key holds its status, so a passing row never repeats a finding: only other rows need a key.
        if row["status"] != "pass":
            key = (row["check"], row["scope"], row["status"], row["expected"], row["actual"], row["source_line"])
            if key in seen:
                continue
            seen.add(key)
        out.append(row)
    return out


# ---------------------------------------------------------------- across reports

ACROSS_CELLS = {("requests", "req_carried_forward"), ("requests", "req_carried_over"),
                ("active_disclosure", "normative_documents"), ("active_disclosure", "regulations")}
# The report fields they read (pairing by body and year, blaming a heuristic layout).
ACROSS_REPORT_FIELDS = ("report_id", "report_year", "jurisdiction", "title", "layout")


def run_across(reports_rows, statistics_rows) -> list[dict]:
    """Checks between consecutive years of the same issuing body (same jurisdiction and title apart from the year)."""
    reports = {r["report_id"]: r for r in reports_rows if r.get("report_year") and r.get("jurisdiction")}
    cells: dict[str, dict[tuple, dict]] = defaultdict(dict)
    for row in statistics_rows:
        if row.get("report_id") in reports and (row.get("table"), row.get("indicator")) in ACROSS_CELLS \
                and row.get("scope") is None:
            cells[row["report_id"]][(row["indicator"], column_code(row["table"], row.get("column")))] = row
    out = []
    for earlier, later in consecutive_pairs(list(reports.values())):
        for check in check_catalog().values():
            if check["kind"] == "across_carry":
                out += _carry(check, earlier, later, cells)
            elif check["kind"] == "across_in_force":
                out += _in_force(check, earlier, later, cells)
    return out


def body_key(report: dict) -> str:
    title = re.sub(r"\d{4}\s*年度?", "", report.get("title") or "")
    return label_key(report["jurisdiction"]) + "|" + label_key(title)


def consecutive_pairs(reports: list[dict]) -> list[tuple[dict, dict]]:
    by_body = defaultdict(lambda: defaultdict(list))
    for r in reports:
        by_body[body_key(r)][int(r["report_year"])].append(r)
    pairs = []
    for years in by_body.values():
        for year, rs in years.items():
            nxt = years.get(year + 1, [])
            if len(rs) == 1 and len(nxt) == 1:  # two copies of one year: no telling which continues
                pairs.append((rs[0], nxt[0]))
    return pairs


def _carry(check, earlier, later, cells) -> list[dict]:
    before = cells[earlier["report_id"]].get((check["lhs"], TOTAL_COLUMN))
    after = cells[later["report_id"]].get((check["rhs"], TOTAL_COLUMN))
    if not before or not after or before.get("value") is None or after.get("value") is None:
        return []
    ok = math.isclose(before["value"], after["value"])
    message = (f"{earlier['report_year']} 「{before['label']}」 {_fmt(before['value'])} {'=' if ok else '≠'} "
               f"{later['report_year']} 「{after['label']}」 {_fmt(after['value'])}")
    return [result_row(check["check"], later, None, "pass" if ok else "fail", before["value"], after["value"],
                       message, after.get("source_line"))]


def _in_force(check, earlier, later, cells) -> list[dict]:
    out = []
    made, repealed = check["rhs"].split("-")
    for indicator in ("normative_documents", "regulations"):
        get = lambda rep, col: (cells[rep["report_id"]].get((indicator, col)) or {}).get("value")  # noqa: E731
        before, now = get(earlier, check["lhs"]), get(later, check["lhs"])
        new, gone = get(later, made), get(later, repealed)
        if None in (before, now) or (new is None and gone is None):
            continue
        expected = before + (new or 0) - (gone or 0)
        ok = math.isclose(expected, now)
        row = cells[later["report_id"]][(indicator, check["lhs"])]
        message = (f"「{row['label']}」 现行有效 {later['report_year']}: {_fmt(now)} {'=' if ok else '≠'} "
                   f"{_fmt(before)} ({earlier['report_year']}) + 制发 {_fmt(new)} − 废止 {_fmt(gone)} = {_fmt(expected)}")
        out.append(result_row(check["check"], later, None, "pass" if ok else "fail", expected, now, message,
                              row.get("source_line")))
    return out


# ---------------------------------------------------------------- reading the results back (ogi validate)

def failure_lines(rows: list[dict]) -> list[str]:
    """Failed checks grouped by check, then report: what `ogi validate` prints."""
    fails = [r for r in rows if r.get("status") == "fail"]
    by_check: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in fails:
        by_check[row["check"]][row["report_id"]].append(row)
    lines = []
    for check in sorted(by_check):
        reports = by_check[check]
        first = next(iter(reports.values()))[0]
        lines.append(f"{check} ({first['severity']}, {first['responsibility']}): "
                     f"{sum(map(len, reports.values()))} failure(s) in {len(reports)} report(s)")
        for report_id in sorted(reports):
            lines.append(f"  {report_id}")
            for row in reports[report_id]:
                line = row.get("source_line")
                where = f"L{int(line)} " if line is not None and line == line else ""
                lines.append(f"    {where}{row['message']}")
    return lines


def strict_failures(rows: list[dict]) -> list[dict]:
    """Failures that point at the pipeline's own reading (error severity, extraction responsibility)."""
    return [r for r in rows if r.get("status") == "fail" and r.get("severity") == "error"
            and r.get("responsibility") == "extraction"]
