"""Narrative sentences → key-domain counts and request/review/litigation statements of the report year."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline import catalog
from pipeline.labels import without_quotes
from pipeline.numbers import Quantity, find_percents, find_quantities, may_count
from pipeline.sentences import Block, Heading, Outline, blocks, sentences

DOMAIN_UNITS = {"条", "件", "项"}
OUTCOME_UNITS = {"件", "宗"}
WHOLE_JURISDICTION = re.compile(r"全市|全区|全县|全省|全镇|全旗|本行政区域")
REGION_SCOPE = "本行政区域"

_CLAUSE_MARK = re.compile("[，,；;：:。！？!?]")
_CLAUSE_MARK_OR_BRACKET = re.compile("[，,；;：:。！？!?（）()]")
# What a domain statement counts comes after its verb: 共公开「扶贫信息」600余条.
_ANCHOR = re.compile(r"公开|发布|公示|公布|推送|刊登|披露|报送|归集")
_FILLER_HEAD = re.compile(r"^(?:\d{4}年度?|今年|全年|其中|主动|累计|共|各类|有关|相关|了|的|、|\s)+")
# A qualifier before the number (不少于, 约) is the count's own: numbers reads it, so it is not in the object.
_FILLER_TAIL = re.compile(r"(?:今年|全年|累计|共计|合计|总计|共|计|达到|达|为|\s)+$")
_GENERIC_OBJECT = re.compile(r"^(?:各类|相关|有关|此类|上述)?(?:信息|内容)?$|等(?:信息|内容)$")
_AFTER_UNIT = re.compile(r"[^，,。；;：:、（(！？!?]*")
_HEADING_SUFFIX = re.compile(r"(?:公开|信息|情况|工作|领域|项目|方面|数量|类别|形式|建设|机制)$")
_RUN_ON_HEADING = re.compile(r"^.{2,30}?(?:情况|方面|数量|类别|形式)")
_HEADING_VERBS = re.compile(r"^(?:积极|着力|持续|深入|全面|进一步|不断|切实|大力|继续)*"
                            r"(?:推进|推动|加强|深化|做好|强化|开展|加大|抓好|落实|规范|突出)?")
_HEADING_TAIL = re.compile(r"(?:工作情况|情况|工作|公开|方面)+$")
_SUMMARY = re.compile(r"等(?P<x>[^，,。；;、等]{2,20}?)(?:的)?信息")


# --------------------------------------------------------------------------------------------
# Catalogs

@dataclass(frozen=True)
class Domain:
    code: str
    bare_count: bool


@lru_cache(maxsize=None)
def _domain_index() -> tuple[re.Pattern, dict[str, Domain]]:
    """One alternation over every alias (longest first) and alias → domain."""
    by_alias = {}
    for row in catalog.load_csv("domains.csv"):
        for alias in row["aliases"].split("|"):
            by_alias[alias] = Domain(row["code"], row["bare_count"] == "true")
    pattern = "|".join(re.escape(a) for a in sorted(by_alias, key=len, reverse=True))
    return re.compile(pattern), by_alias


def domain_hits(text: str) -> list[tuple[re.Match, Domain]]:
    pattern, by_alias = _domain_index()
    return [(m, by_alias[m.group(0)]) for m in pattern.finditer(text)]


def _names_domain(text: str) -> bool:
    return _domain_index()[0].search(text) is not None


@dataclass(frozen=True)
class OutcomeRule:
    kind: str
    pattern: re.Pattern
    stage: str
    measure: str
    applicant: str
    context: str
    family: str


@lru_cache(maxsize=None)
def _outcome_rules() -> tuple[OutcomeRule, ...]:
    return tuple(OutcomeRule(r["kind"], re.compile(r["pattern"]), r["stage"], r["measure"], r["applicant"],
                             r["context"], r["family"])
                 for r in catalog.load_csv("narrative_outcomes.csv"))


# --------------------------------------------------------------------------------------------
# Walking the prose

@dataclass(slots=True)  # not frozen: a frozen init is several times slower
class Sentence:
    """A prose sentence with its counts, in the block it stands in."""
    block: Block
    block_no: int
    start: int  # offset of the sentence in the block
    text: str
    quantities: list[Quantity]
    outline: Outline
    plans: Plans


@dataclass
class Statement:
    """A count in a sentence, with what stands before and after it inside its clause."""
    sentence: Sentence
    quantity: Quantity  # offsets relative to the sentence

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def source_line(self) -> int:
        return self.sentence.block.line_at(self.sentence.start + self.quantity.start)

    @cached_property
    def trail(self) -> tuple[Heading, ...]:
        """The headings in force where the count stands (asked for twice when a row is made)."""
        return self.sentence.outline.trail(self.sentence.block_no, self.sentence.start + self.quantity.start)

    def before(self, boundary: re.Pattern, previous_end: int) -> str:
        head = self.text[previous_end:self.quantity.start]
        return _unquoted(boundary.split(head)[-1])

    def after(self, boundary: re.Pattern, next_start: int) -> str:
        tail = self.text[self.quantity.end:next_start]
        cut = boundary.search(tail)
        return _unquoted(tail[:cut.start()] if cut else tail)


def _unquoted(text: str) -> str:
    return without_quotes(text).strip(" 、")


# Both readers use only counts in these units, and the request reader phrases with no count
# (没有收到申请, 均维持): text with neither is skipped before it is split or searched for numbers.
_USED_UNITS = DOMAIN_UNITS | OUTCOME_UNITS
_USED_UNIT_CHARS = "".join(sorted(_USED_UNITS))


class Walk(list):
    """The sentences either reader can use, in document order, and where the document's prose looks ahead
    (`plans`, over the prose blocks): any other reader of the prose asks it too, so one rule tells plans."""
    __slots__ = ("plans",)


def plans_of(doc, report_year: int | None = None) -> Plans:
    """Where a document's prose looks ahead, for a reader without the walk."""
    return Plans(blocks(doc), report_year)


def walk(doc, report_year: int | None = None) -> Walk:
    """The sentences either reader can use, in document order. Splitting, heading and number-finding are most
    of both readers' cost: parse walks a document once and hands the walk to both. The report year tells
    a later year's plans from the year's facts."""
    plans = plans_of(doc, report_year)
    prose = plans.prose
    outline = Outline(prose)
    phrase = _countless_rules()[1]
    found = Walk()
    found.plans = plans
    for block_no, block in enumerate(prose):
        # What a sentence holds, its block holds (the test and the rules are unanchored): a block
        # without a count or a phrase is not split, and its sentences are asked only what it holds.
        counting = may_count(block.text, _USED_UNIT_CHARS)
        phrased = phrase.search(block.text) is not None
        if not (counting or phrased):
            continue
        for start, text in sentences(block):
            quantities = find_quantities(text) if counting and may_count(text, _USED_UNIT_CHARS) else []
            if any(q.unit in _USED_UNITS for q in quantities) or (phrased and phrase.search(text)):
                found.append(Sentence(block, block_no, start, text, quantities, outline, plans))
    return found


# --------------------------------------------------------------------------------------------
# Plans, targets and intentions: the facts are only those of the report year (formats.md §3.1)

# A year opening a sentence, a paragraph or a heading dates what follows it (2018年,我市将…); one
# inside a clause may be a deadline or a carry-over that is the year's own fact (结转至2018年办理3件).
_YEAR_OPENING = re.compile(r"\s*(?:在|于|到)?((?:19|20)\d\d)\s*年")
_YEAR = re.compile(r"(?:19|20)\d\d(?=\s*年)")
_OPENING_CLAUSE = re.compile(r"[^，,；;：:。！？!?]*")
# Requests carried into the next year and cases still open are the year's facts, worded ahead.
_FORWARD_MEASURES = {"carried_forward", "pending"}


@lru_cache(maxsize=None)
def _plan_cues() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """Patterns over the catalog's cues: looking ahead (to the sentence's end), aims (their clause),
    both (one scan of a sentence finds every cue), and headings of plans."""
    by_scope: dict[str, list[str]] = {}
    for row in catalog.load_csv("plan_cues.csv"):
        by_scope.setdefault(row["scope"], []).append(row["cue"])
    ahead, aim, heading = ("|".join(by_scope[scope]) for scope in ("sentence", "clause", "heading"))
    # Bare '|' joins keep every alternative starting with a literal: the engine skips ahead to those.
    return re.compile(ahead), re.compile(aim), re.compile(f"{ahead}|{aim}"), re.compile(heading)


class Plans:
    """Where a document's prose looks ahead. Few sentences hold a count that is read as a row, so
    a sentence is asked only then, and once; its block once for all its sentences."""

    def __init__(self, prose: list[Block], report_year: int | None):
        self.prose = prose
        self._next_year = report_year + 1 if report_year else 10_000  # the first year a plan may name
        self._sentences: dict[tuple[int, int], tuple[float, tuple[tuple[int, int], ...]]] = {}  # by (block, start)
        self._blocks: dict[int, bool] = {}  # block → whether all of it is a plan
        self._headings: dict[int, bool] = {}  # heading line's block → whether it names plans

    def stated(self, sentence: Sentence, pos: int) -> bool:
        return self.at(sentence.block_no, sentence.start, sentence.text, pos)

    def at(self, block_no: int, start: int, text: str, pos: int) -> bool:
        """Whether what stands at pos in the sentence (text, at start in block block_no) is a plan, target or
        intention rather than a fact: a cue before it in its sentence (or, for an aim, in its clause), a
        paragraph opening with one (2018年,我市将…: its later sentences are plans too) or a section of
        plans it stands in."""
        found = self._sentences.get((block_no, start))
        if found is None:
            found = self._sentences[block_no, start] = self._read(block_no, text)
        ahead, aims = found
        return ahead < pos or bool(aims) and any(begin < pos <= end for begin, end in aims)

    def _read(self, no: int, text: str) -> tuple[float, tuple[tuple[int, int], ...]]:
        """Where the sentence starts looking ahead (-1: all of it; inf: nowhere), and the clauses aims rule."""
        if no not in self._blocks:
            self._blocks[no] = self._opens_plan(no) or self._in_plan_section(no)
        if self._blocks[no] or self._opens_later_year(text):
            return -1, ()
        _, aim, either, _ = _plan_cues()
        aims = []
        for cue in either.finditer(text):
            if not aim.match(text, cue.start()):
                return cue.start(), tuple(aims)
            mark = _CLAUSE_MARK.search(text, cue.end())
            aims.append((cue.start(), mark.start() if mark else len(text)))
        return math.inf, tuple(aims)

    def _opens_later_year(self, text: str) -> bool:
        opening = _YEAR_OPENING.match(text)
        return opening is not None and int(opening[1]) >= self._next_year

    def _opens_plan(self, block_no: int) -> bool:
        """Whether the block's opening clause looks ahead (2018年,我市将…; 下一步,…)."""
        text = self.prose[block_no].text
        return self._opens_later_year(text) or _plan_cues()[0].search(text, 0, _OPENING_CLAUSE.match(text).end()) is not None

    def _in_plan_section(self, block_no: int) -> bool:
        """Whether the heading line of rank 1 in force, or one of rank 2 under it, names plans
        (六、存在的主要问题及改进措施; （二）2018年工作打算)."""
        below = 3
        for no in range(block_no - 1, -1, -1):  # a section's heading line is a few blocks back
            rank = self.prose[no].heading_rank
            if 0 < rank < below:
                if self._names_plans(no):
                    return True
                if rank == 1:
                    return False
                below = rank
        return False

    def _names_plans(self, block_no: int) -> bool:
        if block_no not in self._headings:
            heading = self.prose[block_no].text
            self._headings[block_no] = _plan_cues()[3].search(heading) is not None or "年" in heading and any(
                int(year) >= self._next_year for year in _YEAR.findall(heading))
        return self._headings[block_no]


# --------------------------------------------------------------------------------------------
# Key-domain counts

def domain_counts(doc, prose: list[Sentence] | None = None) -> list[dict]:
    rows = []
    for sentence in walk(doc) if prose is None else prose:
        previous_end = 0
        for q in sentence.quantities:
            if q.unit in DOMAIN_UNITS:
                stmt = Statement(sentence, q)
                found = _domain_of(stmt, previous_end)
                if found and not sentence.plans.stated(sentence, q.start):
                    rows.append(_domain_row(stmt, *found))
            previous_end = q.end
    return rows


def _domain_row(stmt: Statement, code: str, label: str) -> dict:
    q = stmt.quantity
    return {"domain": code, "domain_label": label, "parent_domain": _parent(stmt.trail, code),
            "count": q.value, "qualifier": q.qualifier, "unit": q.unit, "sentence": stmt.text.strip(),
            "source_line": stmt.source_line}


def _domain_of(stmt: Statement, previous_end: int) -> tuple[str, str] | None:
    """(code, label as printed) of what a count counts, or None when it is not a domain count."""
    after = _AFTER_UNIT.match(stmt.text, stmt.quantity.end).group(0).strip()
    if after not in ("", "信息"):
        return None  # 125项信息公开任务: the count is of something else
    before = stmt.before(_CLAUSE_MARK, previous_end)
    parts = _ANCHOR.split(before)
    if len(parts) == 1 and not _names_domain(before):
        return None  # 其中当面申请3件: no verb, and no domain in the words a trimmed object is cut from
    obj = _trim(parts[-1])
    if _names_domain(obj):
        return _named_domain(obj)
    if len(parts) == 1 or not _GENERIC_OBJECT.search(obj):
        return None  # 共计472项 with no 公开/发布: a sum of items, not information published
    lead = _trim(parts[-2])
    if lead:  # 环境监管信息公开54条 names its own subject; 排污单位信息公开5条 names no domain
        return _named_domain(lead, needs_info=False) if _names_domain(lead) else None
    return _heading_domain(stmt.trail) or _summary_domain(stmt.text[:stmt.quantity.start])


def _trim(text: str) -> str:
    return _FILLER_TAIL.sub("", _FILLER_HEAD.sub("", text)).strip()


def _named_domain(obj: str, needs_info: bool = True) -> tuple[str, str] | None:
    """A phrase naming one domain: 'X等财税信息' names the summary after 等; a list names its items."""
    summary = obj.rsplit("等", 1)[-1]
    label = summary if _names_domain(summary) else obj
    if label == obj and "等" in obj:
        label = next((p for p in re.split(r"[、等]", obj) if _names_domain(p)), obj)
    hits = domain_hits(label)
    codes = {d.code for _, d in hits}
    if len(codes) > 1:
        return None  # a mix of several domains (扶贫、教育、医疗…类信息) is not one domain's count
    if needs_info and "信息" not in obj and not any(d.bare_count for _, d in hits):
        return None  # 政策解读117篇, 图文1775条: documents, not items of a domain
    return hits[0][1].code, label


def _is_heading_like(text: str) -> bool:
    return bool(_HEADING_SUFFIX.search(text))


def _heading_words(text: str) -> str | None:
    """The heading's words if it reads as a heading (not a run-in point such as 二是通过…等内容)."""
    if _is_heading_like(text):
        return text
    m = _RUN_ON_HEADING.match(text)
    return m.group(0) if m else None


@lru_cache(maxsize=4096)  # heading texts repeat across reports, and every count under one asks again
def _heading_domains(text: str) -> tuple[tuple[str, ...], str] | None:
    """The domain codes a heading's words name, in order, and its label; None when it is no heading."""
    words = _heading_words(text)
    if words is None:
        return None
    codes = tuple(d.code for _, d in domain_hits(words))
    return codes, _HEADING_TAIL.sub("", _HEADING_VERBS.sub("", words)) or words


def _heading_domain(trail: tuple[Heading, ...]) -> tuple[str, str] | None:
    for heading in reversed(trail):
        found = _heading_domains(heading.text)
        if found is None:
            continue
        codes, label = found
        return (codes[0], label) if codes else None
    return None


def _summary_domain(text: str) -> tuple[str, str] | None:
    """稳岗就业、生态环境…等重点民生领域的信息公开，公开信息1654条: the summary names the domain."""
    for m in reversed(list(_SUMMARY.finditer(text))):
        hits = domain_hits(m["x"])
        if hits:
            return hits[0][1].code, m["x"]
    return None


def _parent(trail: tuple[Heading, ...], code: str) -> str | None:
    for heading in reversed(trail):
        codes = (_heading_domains(heading.text) or ((), ""))[0]
        if codes and code not in codes:
            return codes[0]
    return None


# --------------------------------------------------------------------------------------------
# Request, review and litigation statements

_PERCENT_AFTER = re.compile(r"^\s*[,，]?\s*[（(]?\s*(?:占[^，,。；;%（）()]{0,15}?)?\s*$")


def outcome_statements(doc, template: str, scopes: list[str], prose: list[Sentence] | None = None) -> list[dict]:
    """Counts of requests, reviews and lawsuits stated in the prose (source='narrative')."""
    region = REGION_SCOPE if REGION_SCOPE in (scopes or []) else None
    rows = []
    for sentence in walk(doc) if prose is None else prose:
        found = _sentence_outcomes(sentence)
        scope = region if found and region and WHOLE_JURISDICTION.search(sentence.text) else None
        for row in found:
            rows.append({"scope": scope, "source": "narrative", **row,
                         "outcome_group": _outcome_groups()[row["measure"]]})
    return rows


@lru_cache(maxsize=None)
def _outcome_groups() -> dict[str, str]:
    return {m["measure"]: m["outcome_group"] for m in catalog.load_csv("measures.csv")}


_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?]")


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans, begin = [], 0
    for m in _CLAUSE_BREAK.finditer(sentence):
        spans.append((begin, m.start()))
        begin = m.end()
    if begin < len(sentence):
        spans.append((begin, len(sentence)))
    return spans


def _sentence_outcomes(sentence: Sentence) -> list[dict]:
    rows: list[dict] = []
    stage_totals: list[dict] = []
    counts = [q for q in sentence.quantities if q.unit in OUTCOME_UNITS]
    if not counts and not _countless_rules()[1].search(sentence.text):
        return []  # no count, and no clause a zero/all rule can match (the rules are unanchored)
    for begin, end in _clauses(sentence.text):
        inside = [i for i, q in enumerate(counts) if begin <= q.start < end]
        if not inside:
            rows += [r for r in _clause_without_count(sentence, begin, end, stage_totals)
                     if not _stated_as_plan(r, sentence, begin)]
            continue
        for i in inside:
            row = _count_row(sentence, counts, i, rows)
            if row and not _stated_as_plan(row, sentence, counts[i].start):
                rows.append(row)
                if row["measure"] == "total" and row["stage"] != "request":
                    stage_totals.append(row)
    return rows


def _stated_as_plan(row: dict, sentence: Sentence, pos: int) -> bool:
    return row["measure"] not in _FORWARD_MEASURES and sentence.plans.stated(sentence, pos)


def _count_row(sentence: Sentence, counts: list[Quantity], i: int, earlier: list[dict]) -> dict | None:
    q, text = counts[i], sentence.text
    previous_end = counts[i - 1].end if i else 0
    next_start = counts[i + 1].start if i + 1 < len(counts) else len(text)
    stmt = Statement(sentence, q)
    before = stmt.before(_CLAUSE_MARK_OR_BRACKET, previous_end)
    after = stmt.after(_CLAUSE_MARK_OR_BRACKET, next_start)
    context = text[:q.start] + after
    for label in (before, after):
        rule = _match_count_rule(label, context)
        if rule is None:
            continue
        if rule.measure == "-":
            return None
        measure = rule.measure
        if measure == "@":
            requests = [r for r in earlier if r["stage"] == "request" and r["applicant"] == "all"]
            if not requests:
                return None
            measure = requests[-1]["measure"]
        return {"stage": rule.stage, "applicant": rule.applicant, "measure": measure, "count": q.value,
                "share_stated_pct": _percent_after(text, q, next_start), "label": label or before,
                "source_line": stmt.source_line}
    return None


def _match_count_rule(label: str, context: str) -> OutcomeRule | None:
    rules, any_rule = _count_rules()
    if not label or not any_rule.search(label):
        return None  # half the labels: one search instead of one per rule
    for rule in rules:
        if not rule.pattern.search(label):
            continue
        if rule.context and rule.context not in context:
            continue
        if rule.family and sum(1 for r in rules if r.family == rule.family and r.pattern.search(label)) > 1:
            return None  # 以传真、其他方式申请: two channels in one count
        return rule
    return None


@lru_cache(maxsize=None)
def _count_rules() -> tuple[tuple[OutcomeRule, ...], re.Pattern]:
    """The count rules in catalog order, and one pattern matching where any of them would."""
    rules = tuple(r for r in _outcome_rules() if r.kind == "count")
    return rules, _any_of(rules)


def _percent_after(sentence: str, q: Quantity, limit: int) -> float | None:
    if "%" not in sentence[q.end:limit]:
        return None  # every percentage ends in % (prose blocks are width-folded: no ％ is left)
    for p in find_percents(sentence[q.end:limit]):
        if _PERCENT_AFTER.match(sentence[q.end:q.end + p.start]):
            return p.value if p.value <= 100 else None  # '（增长150%）' is a change, not a share of a whole
        break
    return None


@lru_cache(maxsize=None)
def _countless_rules() -> tuple[tuple[OutcomeRule, ...], re.Pattern]:
    """The zero/all rules in catalog order, and one pattern matching where any of them would."""
    rules = tuple(r for r in _outcome_rules() if r.kind in ("zero", "all"))
    return rules, _any_of(rules)


def _any_of(rules: tuple[OutcomeRule, ...]) -> re.Pattern:
    """One pattern matching where any rule's would. A bare '|' join is the alternation of every
    rule's alternatives, as wrapping each rule in a group would be; unwrapped, alternatives that
    start with a literal let the engine skip ahead to those characters."""
    return re.compile("|".join(r.pattern.pattern for r in rules))


def _clause_without_count(sentence: Sentence, begin: int, end: int, stage_totals: list[dict]) -> list[dict]:
    rules, any_rule = _countless_rules()
    clause = sentence.text[begin:end]
    if not any_rule.search(clause):
        return []  # most clauses: one search instead of one per rule
    line = sentence.block.line_at(sentence.start + begin)
    for rule in rules:
        m = rule.pattern.search(clause)
        if not m:
            continue
        if rule.measure == "-":
            return []
        if rule.kind == "zero":
            return [{"stage": rule.stage, "applicant": rule.applicant, "measure": rule.measure, "count": 0.0,
                     "share_stated_pct": None, "label": m.group(0), "source_line": line}]
        if len(stage_totals) == 1:  # 均维持 after 复议7件、诉讼9件 would not say which stage
            total = stage_totals[0]
            return [{**total, "measure": rule.measure, "share_stated_pct": None, "label": clause.strip(),
                     "source_line": line}]
        return []
    return []
