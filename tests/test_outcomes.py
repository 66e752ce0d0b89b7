"""Statistics cells → application_outcomes rows: crosswalk mapping, catalog coverage, cross-template shares."""
from __future__ import annotations

import duckdb
import pytest

from pipeline import catalog
from pipeline.build import build
from pipeline.outcomes import from_statistics
from schemas.vocabularies import APPLICANTS, OUTCOME_GROUPS, STAGES

CROSSWALK = catalog.load_csv("outcome_crosswalk.csv")
MEASURES = {m["measure"]: m for m in catalog.load_csv("measures.csv")}
DECIDED_GROUPS = ("granted", "partially_granted", "denied", "unable", "not_processed", "other")


def stat(table, indicator, label, value, line, column=None, scope=None):
    return {"report_id": "r", "table": table, "scope": scope, "row_path": "", "indicator": indicator,
            "label": label, "column": column, "unit": "件", "value": value, "value_raw": str(value),
            "source_line": line}


def key(row):
    return (row["scope"], row["stage"], row["applicant"], row["measure"], row["outcome_group"], row["count"],
            row["label"], row["source_line"])


# --- legacy -----------------------------------------------------------------------------------------

def test_zhucheng_city_level_requests_received_by_channel():
    # zhucheng-2017.txt, 市本级 三(一): 88 received = 9 in person + 0 fax + 45 online + 34 letter + 0 other
    rows = [stat("legacy_stats", code, label, value, line, scope="市本级") for code, label, value, line in [
        ("requests_received", "(一)收到申请数", 88, 332), ("requests_in_person", "1.当面申请数", 9, 336),
        ("requests_fax", "2.传真申请数", 0, 340), ("requests_online", "3.网络申请数", 45, 344),
        ("requests_letter", "4.信函申请数", 34, 348), ("requests_other_form", "5.其他形式", 0, 352)]]
    assert [key(o) for o in from_statistics(rows, "legacy")] == [
        ("市本级", "request", "all", "received", "intake", 88.0, "(一)收到申请数", 332),
        ("市本级", "request", "all", "received_in_person", "intake", 9.0, "1.当面申请数", 336),
        ("市本级", "request", "all", "received_fax", "intake", 0.0, "2.传真申请数", 340),
        ("市本级", "request", "all", "received_online", "intake", 45.0, "3.网络申请数", 344),
        ("市本级", "request", "all", "received_letter", "intake", 34.0, "4.信函申请数", 348),
        ("市本级", "request", "all", "received_other", "intake", 0.0, "5.其他形式", 352),
    ]


def test_zhucheng_replies_reviews_and_lawsuits():
    rows = [stat("legacy_stats", code, label, value, line, scope="本行政区域") for code, label, value, line in [
        ("replies_already_public", "1.属于已主动公开范围数", 18, 0), ("replies_denied", "4.不同意公开答复数", 3, 0),
        ("denied_not_government_info", "不是《条例》所指政府信息", 3, 0),
        ("replies_not_this_agency", "5.不属于本行政机关公开数", 19, 0),
        ("reviews_total", "四、行政复议数量", 2, 0), ("reviews_maintained", "(一)维持具体行政行为数", 2, 0),
        ("lawsuits_total", "五、行政诉讼数量", 1, 0), ("lawsuits_other", "(三)其他情形数", 1, 0)]]
    got = [(o["stage"], o["measure"], o["outcome_group"], o["count"]) for o in from_statistics(rows, "legacy")]
    assert got == [
        ("request", "already_public", "granted", 18.0), ("request", "denied", "denied", 3.0),
        ("request", "denied_not_government_info", "denied", 3.0), ("request", "not_this_agency", "unable", 19.0),
        ("review", "total", "total", 2.0), ("review", "maintained", "other", 2.0),
        ("litigation", "total", "total", 1.0), ("litigation", "other_result", "other", 1.0),
    ]


def test_pingtan_2017_year_column_only_and_unmapped_rows_dropped():
    # pingtan-2017.txt: a Fujian form with 2017年度 / 历年累计 columns; 信函、传真 and 其他类型答复 have no measure
    rows = [stat("legacy_stats", code, label, 0, 10, column=col)
            for code, label in [("requests_received", "受理政府信息依申请公开总数"),
                                ("requests_letter_or_fax", "3、信函、传真申请数"),
                                ("replies_denied", "3、不予公开答复数"), ("replies_other", "4、其他类型答复数"),
                                ("lawsuits_and_complaints", "接受行政诉讼、举报数"), ("reviews_total", "行政复议数")]
            for col in ("2017年度", "历年累计")]
    got = [(o["stage"], o["measure"], o["count"], o["label"]) for o in from_statistics(rows, "legacy")]
    assert got == [("request", "received", 0.0, "受理政府信息依申请公开总数"),
                   ("request", "denied", 0.0, "3、不予公开答复数"), ("review", "total", 0.0, "行政复议数")]


def test_active_disclosure_and_unknown_indicators_give_no_outcome():
    rows = [stat("legacy_stats", "active_total", "主动公开政府信息数", 22794, 236),
            stat("legacy_stats", "made_up_code", "某某数", 5, 237)]
    assert from_statistics(rows, "legacy") == []


# --- standard templates -----------------------------------------------------------------------------

def test_pingtan_2023_new_requests_by_applicant():
    # pingtan-2023.txt 表三 一、本年新收: 80 natural persons + 1 commercial enterprise = 81 (all on raw line 10)
    values = dict(zip(["自然人", "商业 企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"], [80, 1, 0, 0, 0, 0, 81]))
    rows = [stat("requests", "req_received", "一、本年新收政府信息公开申请数量", v, 10, column=c) for c, v in values.items()]
    got = from_statistics(rows, "std2021")
    assert [(o["applicant"], o["measure"], o["outcome_group"], o["count"]) for o in got] == [
        ("natural_person", "received", "intake", 80.0), ("commercial_enterprise", "received", "intake", 1.0),
        ("research_institution", "received", "intake", 0.0), ("public_interest_org", "received", "intake", 0.0),
        ("legal_service_org", "received", "intake", 0.0), ("other_org", "received", "intake", 0.0),
        ("all", "received", "intake", 81.0)]
    assert got[0]["label"] == "一、本年新收政府信息公开申请数量 / 自然人"
    assert {(o["source"], o["stage"], o["source_line"], o["share_stated_pct"]) for o in got} == {("table", "request", 10, None)}


def test_other_processing_rows_follow_the_template_generation():
    n21 = [stat("requests", "req_other_overdue_correction",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 1, 10, column="总计"),
           stat("requests", "req_other_other", "3.其他", 1, 10, column="总计")]
    n19 = [stat("requests", "req_other_processing", "(六)其他处理", 0, 1, column="总计")]
    assert [(o["measure"], o["outcome_group"], o["count"]) for o in from_statistics(n21, "std2021")] == [
        ("other_overdue_correction", "other", 1.0), ("other_other", "other", 1.0)]
    assert [(o["measure"], o["applicant"]) for o in from_statistics(n19, "std2019")] == [("other_processing", "all")]
    assert from_statistics(n19, "std2021") == [] and from_statistics(n21, "std2019") == []


def test_shanghai_2019_review_and_lawsuits_with_blank_cells():
    # shanghai-office-2019.html 表四: 行政复议 5 / blank / blank / 2 / 7; 未经复议直接起诉 8 / . / . / 1 / 9
    cells = {"行政复议": [5, None, None, 2, 7], "未经复议直接起诉": [8, None, None, 1, 9],
             "复议后起诉": [None] * 5}
    codes = {"行政复议": "review", "未经复议直接起诉": "litigation_direct", "复议后起诉": "litigation_after_review"}
    columns = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [stat("review_litigation", codes[label], label, v, 1, column=c)
            for label, values in cells.items() for c, v in zip(columns, values)]
    got = from_statistics(rows, "std2019")
    assert [(o["stage"], o["applicant"], o["measure"], o["outcome_group"], o["count"]) for o in got] == [
        ("review", "all", "maintained", "other", 5.0), ("review", "all", "pending", "pending", 2.0),
        ("review", "all", "total", "total", 7.0),
        ("litigation_direct", "all", "maintained", "other", 8.0), ("litigation_direct", "all", "pending", "pending", 1.0),
        ("litigation_direct", "all", "total", "total", 9.0)]
    assert got[0]["label"] == "行政复议 / 结果维持"


def test_blank_request_cells_give_no_row():
    # shanghai-office-2019.html 表三 二、上年结转: 自然人 18, 商业企业 blank (&nbsp;), 总计 18
    rows = [stat("requests", "req_carried_over", "二、上年结转政府信息公开申请数量", v, 1, column=c)
            for c, v in [("自然人", 18), ("商业企业", None), ("总计", 18)]]
    assert [(o["applicant"], o["measure"], o["count"]) for o in from_statistics(rows, "std2019")] == [
        ("natural_person", "carried_over", 18.0), ("all", "carried_over", 18.0)]


def test_unknown_applicant_column_gives_no_row():
    rows = [stat("requests", "req_granted", "(一)予以公开", 3, 1, column="法人或其他组织小计")]
    assert from_statistics(rows, "std2021") == []


# --- the crosswalk as data --------------------------------------------------------------------------

def _in_request_part(row: dict, by_code: dict) -> bool:
    """Legacy rows under 三–六 (requests, review, lawsuits, complaints) or Gansu form codes 10–35, via their root."""
    while row["parent"] in by_code:
        row = by_code[row["parent"]]
    head = row["row_path"].split(".")[0]
    return head in ("三", "四", "五", "六") or (head.isdigit() and 10 <= int(head) <= 35)


def _outcome_indicators():
    """Catalog rows of the request, review and litigation tables of every template family."""
    legacy = catalog.indicators(table="legacy_stats")
    by_code = {r["indicator"]: r for r in legacy}
    std = catalog.indicators(table="requests") + catalog.indicators(table="review_litigation")
    return [r for r in legacy if _in_request_part(r, by_code)] + std


def test_every_request_and_review_indicator_is_mapped_or_declared_unmapped():
    rows = {(e["template"], e["code"]) for e in CROSSWALK if e["axis"] == "row"}
    missing = [(r["template"], r["indicator"]) for r in _outcome_indicators() if (r["template"], r["indicator"]) not in rows]
    assert missing == []


def test_every_applicant_and_result_column_is_in_the_crosswalk():
    cols = {(e["table"], e["code"]) for e in CROSSWALK if e["axis"] == "column"}
    catalog_cols = [(c["table"], c["column_code"]) for t in ("requests", "review_litigation") for c in catalog.columns(t)]
    assert [c for c in catalog_cols if c not in cols] == []


def test_crosswalk_rows_name_real_codes_and_vocabulary():
    known = {(r["template"], r["indicator"]) for r in catalog.indicators()}
    for e in CROSSWALK:
        if e["axis"] == "row":
            assert (e["template"], e["code"]) in known, e
        mapped = [e["stage"], e["applicant"], e["measure"]]
        assert bool(e["unmapped_because"]) != any(mapped) or e["axis"] == "column", e
        assert e["stage"] in ("", *STAGES) and e["applicant"] in ("", *APPLICANTS), e
        if e["measure"]:
            assert e["measure"] in MEASURES, e
            assert not e["stage"] or e["stage"] in MEASURES[e["measure"]]["stages"].split("|"), e


def test_measures_use_the_contract_outcome_groups():
    assert {m["outcome_group"] for m in MEASURES.values()} <= set(OUTCOME_GROUPS)


def test_details_are_named_after_the_total_they_are_counted_in():
    # The cross-template query drops <total>_<detail> rows when <total> is present: keep that naming true.
    measure_of = {e["code"]: e["measure"] for e in CROSSWALK if e["axis"] == "row" and e["template"] == "legacy"}
    for r in catalog.indicators(table="legacy_stats"):
        child, parent = measure_of.get(r["indicator"]), measure_of.get(r["parent"])
        if child and parent and MEASURES[child]["outcome_group"] == MEASURES[parent]["outcome_group"]:
            assert child.startswith(parent + "_"), (parent, child)
    for parent in MEASURES:
        for child in MEASURES:
            if child.startswith(parent + "_"):
                assert MEASURES[child]["outcome_group"] == MEASURES[parent]["outcome_group"], (parent, child)


# --- acceptance: one query, legacy and std2021 side by side ----------------------------------------

SHARES_OF_DECIDED_REQUESTS = """
WITH decided AS (
    SELECT o.report_id, o.scope, o.outcome_group, o.count
    FROM application_outcomes o
    WHERE o.source = 'table' AND o.stage = 'request' AND o.applicant = 'all'
      AND o.outcome_group IN ('granted', 'partially_granted', 'denied', 'unable', 'not_processed', 'other')
      -- a detail row (denied_state_secret) is already counted in its printed total (denied) when there is one
      AND NOT EXISTS (
          SELECT 1 FROM application_outcomes t
          WHERE t.report_id = o.report_id AND t.scope IS NOT DISTINCT FROM o.scope AND t.source = o.source
            AND t.stage = o.stage AND t.applicant = o.applicant AND starts_with(o.measure, t.measure || '_'))
)
SELECT report_id, scope, outcome_group,
       round(100 * sum(count) / nullif(sum(sum(count)) OVER (PARTITION BY report_id, scope), 0), 2) AS share_pct
FROM decided
GROUP BY report_id, scope, outcome_group
ORDER BY report_id, scope, outcome_group
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory, raw_dir):
    out = tmp_path_factory.mktemp("processed")
    build(raw_dir, out, jobs=1)
    con = duckdb.connect(str(out / "ogi.duckdb"), read_only=True)
    yield con
    con.close()


def test_outcome_group_shares_compare_legacy_and_std2021_in_one_query(built):
    shares = {}
    for report_id, scope, group, pct in built.execute(SHARES_OF_DECIDED_REQUESTS).fetchall():
        shares.setdefault((report_id, scope), {})[group] = pct
    # zhucheng-2017 (legacy), both scopes: 88 answered = 39 granted (18 already public + 21) + 3 denied
    # + 44 unable (19 not this agency + 25 not existing) + 2 other (told to amend)
    zhucheng = {"granted": 44.32, "partially_granted": 0.0, "denied": 3.41, "unable": 50.0, "other": 2.27}
    assert shares[("zhucheng-2017", "市本级")] == zhucheng
    assert shares[("zhucheng-2017", "本行政区域")] == zhucheng
    # pingtan-2023 (std2021): 81 processed = 22 + 20 + 5 + 31 + 1 + 2; the narrative states 6.17 / 38.27 / 1.23 / 2.47
    assert shares[("pingtan-2023", None)] == {
        "granted": 27.16, "partially_granted": 24.69, "denied": 6.17, "unable": 38.27, "not_processed": 1.23,
        "other": 2.47}
