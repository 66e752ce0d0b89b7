"""Narrative statements read from the shipped reports: key-domain counts and request outcomes."""
import csv
from dataclasses import dataclass

import pytest
from hypothesis import given, strategies as st

from pipeline import narrative
from pipeline.sentences import blocks
from pipeline.read import Line
from schemas import CATALOG_DIR
from schemas.vocabularies import OUTCOME_GROUPS, STAGES


@dataclass
class Snippet:
    """A document made of a few real lines, for statements tested out of their report."""
    lines: list


def snippet(*texts):
    return Snippet([Line(i + 1, t) for i, t in enumerate(texts)])


def domains(doc):
    return {(r["domain"], r["count"], r["qualifier"]): r for r in narrative.domain_counts(doc)}


def outcomes(doc, scopes=()):
    return {(r["stage"], r["applicant"], r["measure"]): r for r in narrative.outcome_statements(doc, "x", list(scopes))}


# --- key-domain counts ------------------------------------------------------------------------

def test_zhucheng_domain_counts_with_lower_bounds(doc):
    found = domains(doc("zhucheng-2017.txt"))
    poverty = found[("poverty_alleviation", 600, "at_least")]
    assert poverty["domain_label"] == "扶贫信息" and poverty["unit"] == "条" and poverty["source_line"] == 112
    assert poverty["parent_domain"] == "livelihood"  # 6、民生领域信息公开
    assert found[("ppp", 50, "at_least")]["domain_label"] == "政府和社会资本合作(PPP)项目信息"
    assert found[("fiscal_budget", 100, "at_least")]["domain_label"] == "财税信息"
    assert found[("npc_suggestions", 132, "exact")]["unit"] == "件"
    assert found[("cppcc_proposals", 206, "exact")]["domain_label"] == "政协委员提案"
    assert len(found) == 24


def test_zhucheng_totals_and_other_counts_are_not_domains(doc):
    counts = {r["count"] for r in narrative.domain_counts(doc("zhucheng-2017.txt"))}
    # 主动公开政府信息27519条 (total), 472项 (power list), 230万条 (credit data), 96件 (documents)
    assert not counts & {27519, 22794, 4725, 472, 2_300_000, 96, 2100}


def test_pingtan_2017_domains_bound_to_their_headings(doc):
    found = domains(doc("pingtan-2017.txt"))
    # （4）推进国资国企信息公开。… 今年共发布10条信息。
    assert found[("state_owned_enterprises", 10, "exact")]["domain_label"] == "国资国企信息"
    # （1）推进扶贫脱贫和社会救助信息公开 … 全年共发布25条信息
    assert found[("poverty_alleviation", 25, "exact")]["parent_domain"] == "livelihood"
    # （四）开展政策解读工作情况 … 共公开发布信息82条
    assert found[("policy_interpretation", 82, "exact")]["domain_label"] == "政策解读"
    # （4）推进住房信息公开 … 二是通过信息公开向群众宣传… 全年共发布39条信息
    assert found[("housing_security", 39, "exact")]["domain_label"] == "住房信息"
    assert not any(r["count"] == 2122 for r in narrative.domain_counts(doc("pingtan-2017.txt")))


def test_pingtan_2023_only_the_livelihood_statement(doc):
    rows = narrative.domain_counts(doc("pingtan-2023.txt"))
    assert [(r["domain"], r["domain_label"], r["count"]) for r in rows] == [("livelihood", "重点民生领域", 1654)]


@pytest.mark.parametrize("name", ["shanghai-office-2019.html", "shanghai-office-2025.md", "shuyang-county-2025.md"])
def test_reports_without_domain_statements_yield_none(doc, name):
    # 规章13件, 政策解读共132件, 125项信息公开任务, 解读类信息 21 条, 各类信息 13528 条 …
    assert narrative.domain_counts(doc(name)) == []


def test_mixed_category_is_not_one_domain():
    doc = snippet("主动公开政府信息的主要类别有:扶贫、教育、医疗、社会保障、促进就业类信息21条,财政预决算类信息32条。")
    assert [(r["domain"], r["count"]) for r in narrative.domain_counts(doc)] == [("fiscal_budget", 32)]


def test_a_count_wrapped_around_a_bare_number_line_keeps_the_number_line():
    doc = snippet("6、民生领域信息公开。一是扶贫信息。围绕实施精准扶贫、精准脱贫,加大扶贫政策、扶贫对象、帮扶措施等"
                  "信息的公开力度,全年公开扶贫信息", "600", "余条。")
    [row] = narrative.domain_counts(doc)
    assert (row["domain"], row["count"], row["qualifier"], row["parent_domain"]) == (
        "poverty_alleviation", 600, "at_least", "livelihood")
    assert row["source_line"] == 2  # the line the number is printed on


def test_cells_printed_one_per_line_leave_only_their_labels_as_prose():
    doc = snippet("(一)收到申请数", "", "88", "", "1.当面申请数", "9", "", "2.传真申请数", "0", "")
    assert [(b.text, b.line_nos) for b in blocks(doc)] == [
        ("(一)收到申请数", (1,)), ("1.当面申请数", (5,)), ("2.传真申请数", (8,))]


@pytest.mark.parametrize("name", ["zhucheng-2017.txt", "pingtan-2017.txt"])
def test_trails_do_not_depend_on_the_order_they_are_asked_in(doc, name):
    def trails(asked):
        outline = narrative.walk(doc(name))[0].outline  # a fresh outline: nothing known yet
        return {(block_no, pos): outline.trail(block_no, pos) for block_no, pos in asked}
    prose = narrative.walk(doc(name))
    counts = [(s.block_no, s.start + q.start) for s in prose for q in s.quantities]
    assert trails(counts) == trails(reversed(counts))


def test_a_trail_reaches_back_over_blocks_to_its_rank_one_heading(doc):
    prose = narrative.walk(doc("zhucheng-2017.txt"))
    [(sentence, poverty)] = [(s, q) for s in prose for q in s.quantities if q.value == 600]
    trail = sentence.outline.trail(sentence.block_no, sentence.start + poverty.start)
    assert [(h.rank, h.text) for h in trail] == [
        (1, "主动公开政府信息情况"), (2, "重点领域信息公开"), (3, "民生领域信息公开"), (5, "扶贫信息")]


def test_domain_catalog_codes_are_unique_snake_case():
    rows = list(csv.DictReader(open(CATALOG_DIR / "domains.csv", encoding="utf-8")))
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) >= 25
    assert all(c.isascii() and c == c.lower() and " " not in c for c in codes)


# --- application outcomes -----------------------------------------------------------------------

def test_zhucheng_channels_and_replies_with_stated_percentages(doc):
    found = outcomes(doc("zhucheng-2017.txt"), scopes=["市本级", "本行政区域"])
    assert found[("request", "all", "received_online")]["share_stated_pct"] == 51
    assert found[("request", "all", "received_letter")]["count"] == 34
    assert found[("request", "all", "already_public")]["share_stated_pct"] == 20.2
    assert found[("request", "all", "denied_not_government_info")]["count"] == 3
    assert found[("request", "all", "already_public")]["outcome_group"] == "granted"
    # 以传真、其他方式申请的为0件 names two channels: no single measure
    assert ("request", "all", "received_fax") not in found and ("request", "all", "received_other") not in found


def test_zhucheng_review_and_litigation_with_whole_jurisdiction_scope(doc):
    found = outcomes(doc("zhucheng-2017.txt"), scopes=["市本级", "本行政区域"])
    review = found[("review", "all", "maintained")]
    assert review["count"] == 2 and review["scope"] == "本行政区域" and review["source_line"] == 194
    pending = found[("litigation", "all", "pending")]
    assert pending["count"] == 1 and pending["outcome_group"] == "pending"
    # 全市 binds to 本行政区域 only where that table exists
    assert outcomes(doc("zhucheng-2017.txt"))[("review", "all", "total")]["scope"] is None


def test_no_request_received_is_zero_and_joint_review_litigation_is_left_out(doc):
    rows = narrative.outcome_statements(doc("pingtan-2017.txt"), "legacy", [])
    assert [(r["stage"], r["measure"], r["count"]) for r in rows] == [("request", "received", 0)]


@pytest.mark.parametrize("name, left_out", [
    ("shanghai-office-2019.html", {258, 265, 158}),  # 予以公开及部分公开, 无法提供, 不予处理
    ("pingtan-2023.txt", {42, 31}),
    ("shanghai-office-2025.md", {208, 564, 80, 157}),  # … and 含申请人主动撤回157件
    ("shuyang-county-2025.md", {8, 74}),  # 法人或其他组织申请8件, 相关案件74件
])
def test_group_totals_and_legal_persons_are_not_emitted(doc, name, left_out):
    counts = {r["count"] for r in narrative.outcome_statements(doc(name), "std2021", [])}
    assert not counts & left_out


def test_shanghai_2019_carry_over_and_two_stages_upheld(doc):
    found = outcomes(doc("shanghai-office-2019.html"))
    assert found[("request", "all", "carried_over")]["count"] == 18
    assert found[("request", "all", "carried_forward")]["count"] == 72
    assert found[("request", "all", "denied")]["share_stated_pct"] == 4.34
    assert found[("request", "all", "other_processing")]["count"] == 0
    # 行政复议7件,诉讼9件,均获维持: which stage was upheld is not said, so nothing is emitted
    assert ("review", "all", "maintained") not in found and found[("litigation", "all", "total")]["count"] == 9


def test_shanghai_2025_bracketed_percentages_and_no_correction(doc):
    found = outcomes(doc("shanghai-office-2025.md"))
    assert found[("request", "all", "other_processing")]["share_stated_pct"] == 26.78
    assert found[("request", "all", "closed")]["count"] == 1191
    assert found[("review", "all", "corrected")]["count"] == 0


def test_applicant_split_inherits_the_received_measure(doc):
    found = outcomes(doc("pingtan-2023.txt"))
    assert found[("request", "natural_person", "received")]["count"] == 80
    assert found[("request", "commercial_enterprise", "received")]["count"] == 1
    assert found[("litigation", "all", "total")]["count"] == 7
    shuyang = outcomes(doc("shuyang-county-2025.md"))
    assert shuyang[("request", "all", "processed_total")]["count"] == 718
    assert shuyang[("request", "all", "carried_forward")]["count"] == 31


def test_every_measure_has_a_group_and_stages():
    rows = list(csv.DictReader(open(CATALOG_DIR / "measures.csv", encoding="utf-8")))
    assert len(rows) == 51
    for row in rows:
        assert row["outcome_group"] in OUTCOME_GROUPS
        assert set(row["stages"].split("|")) <= set(STAGES)
    narrative_measures = {r["measure"] for r in csv.DictReader(open(CATALOG_DIR / "narrative_outcomes.csv", encoding="utf-8"))}
    assert narrative_measures - {"-", "@"} <= {r["measure"] for r in rows}


# sentences._markers finds heading markers from their cue marks instead of scanning every position: it must
# find exactly what _MARKER.finditer finds, on any text.
_MARKER_PIECES = st.lists(st.sampled_from(
    list("一二三四五六七八九十0123456789(（)）、.．是第。；;：:！？!? a%,") + ["工作", "情况", "公开", "\n"]),
    max_size=40).map("".join)


@given(_MARKER_PIECES)
def test_markers_found_from_their_cues_are_those_a_full_scan_finds(text):
    from pipeline.sentences import _MARKER, _markers

    assert [(m.span(), m.lastgroup) for m in _markers(text)] == \
        [(m.span(), m.lastgroup) for m in _MARKER.finditer(text)]


# --- plans, targets and intentions (formats.md §3.1: facts are only those of the report year) ---------

def _zhucheng_with(raw_dir, edits):
    """zhucheng-2017 with some lines replaced (old → new), parsed end to end (the report year is 2017)."""
    from pipeline.parse import parse_bytes

    text = (raw_dir / "zhucheng-2017.txt").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_bytes(text.encode("utf-8"), "zhucheng-2017-variant.txt")


def _domain_facts(result):
    return {(r["domain"], r["count"], r["qualifier"]) for r in result.key_domain_counts}


_POVERTY = "2017年,全市各级各有关部门共公开扶贫信息600余条。"
_SHIPPED_POVERTY = ("poverty_alleviation", 600, "at_least")


@pytest.fixture(scope="module")
def shipped_domains(raw_dir):
    return _domain_facts(_zhucheng_with(raw_dir, []))


@pytest.mark.parametrize("plan", [
    "计划全年公开扶贫信息800条以上、社会救助信息1000余条。",  # the audit's sentence, 计划 opening it
    "2018年,全市公开扶贫信息800条以上、社会救助信息1000余条。",  # a sentence opening with a later year
    "下一步,我市将继续加大扶贫信息公开力度,全年公开扶贫信息800条以上、社会救助信息1000余条。",
    "我市拟于明年公开扶贫信息800条以上、社会救助信息1000余条。",
])
def test_a_plan_next_to_the_years_fact_gives_no_row(raw_dir, shipped_domains, plan):
    found = _domain_facts(_zhucheng_with(raw_dir, [(_POVERTY, _POVERTY + plan)]))
    assert found == shipped_domains and _SHIPPED_POVERTY in found


def test_the_fact_before_a_plan_in_one_sentence_is_kept(raw_dir, shipped_domains):
    # 全年共发布…，将继续…: the plan runs from its cue to the sentence's end
    mixed = _POVERTY.replace("。", ",将继续加大公开力度,全年公开扶贫信息800条以上。")
    assert _domain_facts(_zhucheng_with(raw_dir, [(_POVERTY, mixed)])) == shipped_domains


def test_an_aim_rules_only_its_clause(raw_dir, shipped_domains):
    aimed = "争取全年公开扶贫信息800条以上," + _POVERTY
    assert _domain_facts(_zhucheng_with(raw_dir, [(_POVERTY, aimed)])) == shipped_domains
    # 争取做到… in a fact sentence is effort, not a target: the count after it stays
    effort = _POVERTY.replace("2017年,", "2017年,争取做到应公开尽公开,")
    assert _SHIPPED_POVERTY in _domain_facts(_zhucheng_with(raw_dir, [(_POVERTY, effort)]))


def test_a_paragraph_opening_with_a_plan_is_a_plan_throughout(raw_dir, shipped_domains):
    # 2018年,我市将…: the later points of the paragraph state no cue of their own
    paragraph = "下一步,我市将从以下方面推进:一是扩大公开范围。全年公开扶贫信息800条以上、社会救助信息1000余条。\n\n"
    result = _zhucheng_with(raw_dir, [("(二)突出重点领域", paragraph + "(二)突出重点领域")])
    assert _domain_facts(result) == shipped_domains


def test_counts_in_the_section_of_improvement_measures_are_plans(raw_dir, shipped_domains):
    # 六、存在的主要问题及改进措施: a paragraph with no cue of its own, under the section of plans
    problems = "目前,我市政府信息公开工作存在的主要问题:"
    result = _zhucheng_with(raw_dir, [(problems, "全年公开扶贫信息800条以上、社会救助信息1000余条。\n\n" + problems)])
    assert _domain_facts(result) == shipped_domains


def test_words_that_only_look_like_plans_keep_the_fact(raw_dir, shipped_domains):
    # 将 as the disposal marker, 拟征收土地 as a noun phrase, 计划 as a noun: the year's facts stay
    for lead in ("将扶贫信息纳入重点公开目录,", "方便公众查询拟征收土地的位置,", "按照年度计划,"):
        fact = _POVERTY.replace("2017年,", "2017年," + lead)
        assert _SHIPPED_POVERTY in _domain_facts(_zhucheng_with(raw_dir, [(_POVERTY, fact)])), lead


def test_a_stated_lower_bound_word_is_not_part_of_the_label(raw_dir):
    fact = _POVERTY.replace("扶贫信息600余条", "扶贫信息不少于600条")
    [row] = [r for r in _zhucheng_with(raw_dir, [(_POVERTY, fact)]).key_domain_counts
             if r["domain"] == "poverty_alleviation"]
    assert (row["domain_label"], row["count"], row["qualifier"]) == ("扶贫信息", 600, "at_least")


def test_request_plans_give_no_outcome_but_carried_over_requests_stay(doc):
    plain = snippet("本年度共收到政府信息公开申请88件。")
    planned = snippet("本年度共收到政府信息公开申请88件,预计明年收到申请100件以上。")
    rows = [(r["measure"], r["count"]) for r in narrative.outcome_statements(planned, "legacy", [])]
    assert rows == [(r["measure"], r["count"]) for r in narrative.outcome_statements(plain, "legacy", [])] == [
        ("received", 88)]
    # requests carried into the next year are the year's own fact, however it is worded
    forward = snippet("因法定期限未届满,将于下年度继续办理的申请72件。")
    assert [(r["measure"], r["count"]) for r in narrative.outcome_statements(forward, "std2019", [])] == [
        ("carried_forward", 72)]


def test_a_percentage_over_100_after_a_count_is_no_share_of_it(raw_dir):
    """'（增长150%）' after a count is a change: a stated share is at most 100, as the outcomes schema holds."""
    from pipeline.parse import parse_bytes

    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    stated = "全县全年共受理政府信息公开申请 749 件，其中自然人申请 741 件"
    assert text.count(stated) == 1
    for share, read in (("（占98.9%）", 98.9), ("（150%）", None)):
        result = parse_bytes(text.replace(stated, stated + share).encode("utf-8"), "shuyang.md")
        [person] = [r for r in result.application_outcomes
                    if r["source"] == "narrative" and r["applicant"] == "natural_person" and r["count"] == 741]
        assert person["share_stated_pct"] == read
