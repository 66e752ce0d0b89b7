"""Hand-made contract rows from two shipped reports (zhucheng-2017 legacy, shanghai-office-2019 std2019)."""

SHA = "0" * 64


def report(report_id, jurisdiction, year, template, status="parsed", error=None):
    return {"report_id": report_id, "source_path": f"{report_id}.txt", "sha256": SHA, "template": template,
            "layout": "cells_per_line", "title": f"{jurisdiction}{year}年政府信息公开工作年度报告",
            "jurisdiction": jurisdiction, "report_year": year, "published_date": None, "status": status,
            "error": error}


def outcome(report_id, scope, stage, applicant, measure, group, count, line=1):
    return {"report_id": report_id, "scope": scope, "source": "table", "stage": stage, "applicant": applicant,
            "measure": measure, "outcome_group": group, "count": count, "share_stated_pct": None,
            "label": measure, "source_line": line}


# zhucheng-2017, 三 依申请公开情况 of both 统计表 (市本级 and 本行政区域 print the same numbers).
ZHUCHENG_REQUESTS = [
    ("received", "intake", 88), ("answered", "total", 88), ("already_public", "granted", 18),
    ("granted", "granted", 21), ("partially_granted", "partially_granted", 0), ("denied", "denied", 3),
    ("denied_not_government_info", "denied", 3), ("denied_state_secret", "denied", 0),
    ("not_this_agency", "unable", 19), ("not_exist", "unable", 25), ("correction_requested", "other", 2),
    ("other_channel", "other", 0),
]
ZHUCHENG_APPEALS = [("review", "total", "total", 2), ("review", "maintained", "other", 2),
                    ("litigation", "total", "total", 1), ("litigation", "other_result", "other", 1)]

# shanghai-office-2019 表三: 总计 printed only for 一, 二, (七) and 四; the outcome rows by applicant only.
SHANGHAI_BY_APPLICANT = [
    ("received", "intake", {"natural_person": 821, "commercial_enterprise": 35, "legal_service_org": 2, "other_org": 1, "all": 859}),
    ("carried_over", "intake", {"natural_person": 18, "all": 18}),
    ("granted", "granted", {"natural_person": 258, "commercial_enterprise": 12, "legal_service_org": 1, "other_org": 1}),
    ("partially_granted", "partially_granted", {"natural_person": 3}),
    ("denied_state_secret", "denied", {"natural_person": 14}),
    ("denied_internal_affairs", "denied", {"natural_person": 5}),
    ("denied_process_info", "denied", {"natural_person": 3, "commercial_enterprise": 1}),
    ("denied_administrative_query", "denied", {"natural_person": 10, "commercial_enterprise": 2}),
    ("unable_not_held", "unable", {"natural_person": 252, "commercial_enterprise": 12, "legal_service_org": 1}),
    ("unable_needs_creation", "unable", {"natural_person": 44, "commercial_enterprise": 3}),
    ("unable_unclear", "unable", {"natural_person": 25}),
    ("not_processed_complaint", "not_processed", {"natural_person": 148, "commercial_enterprise": 1}),
    ("not_processed_duplicate", "not_processed", {"natural_person": 5, "commercial_enterprise": 4}),
    ("processed_total", "total", {"natural_person": 767, "commercial_enterprise": 35, "legal_service_org": 2, "other_org": 1, "all": 805}),
    ("carried_forward", "total", {"natural_person": 72, "all": 72}),
]
SHANGHAI_APPEALS = [("review", "maintained", "other", 5), ("review", "pending", "pending", 2), ("review", "total", "total", 7),
                    ("litigation_direct", "maintained", "other", 8), ("litigation_direct", "pending", "pending", 1),
                    ("litigation_direct", "total", "total", 9)]


def tables() -> dict[str, list[dict]]:
    reports = [report("zhucheng-2017", "诸城市人民政府", 2017, "legacy"),
               report("shanghai-office-2019", "上海市人民政府办公厅", 2019, "std2019"),
               # A following year with only 上年结转 read, to exercise the panel's carry-over link.
               report("shanghai-office-2020", "上海市人民政府办公厅", 2020, "std2019", "partial",
                      "表三 could not be read past 二、上年结转"),
               report("broken", "某某县人民政府", 2021, "unknown", "failed", "the file is empty")]
    outcomes = []
    for scope in ("市本级", "本行政区域"):
        outcomes += [outcome("zhucheng-2017", scope, "request", "all", m, g, c) for m, g, c in ZHUCHENG_REQUESTS]
        outcomes += [outcome("zhucheng-2017", scope, st, "all", m, g, c) for st, m, g, c in ZHUCHENG_APPEALS]
    for measure, group, by_applicant in SHANGHAI_BY_APPLICANT:
        outcomes += [outcome("shanghai-office-2019", None, "request", a, measure, group, c) for a, c in by_applicant.items()]
    outcomes += [outcome("shanghai-office-2019", None, st, "all", m, g, c) for st, m, g, c in SHANGHAI_APPEALS]
    outcomes.append(outcome("shanghai-office-2020", None, "request", "all", "carried_over", "intake", 70))
    domains = [{"report_id": "zhucheng-2017", "domain": "fiscal_budget", "domain_label": "财税信息", "parent_domain": None,
                "count": 100.0, "qualifier": "at_least", "unit": "条", "source_line": 82,
                "sentence": "2017年,全市各级各有关部门共公开财政收支、统计公报、统计月报、审计报告等财税信息100余条。"}]
    issues = [{"report_id": "zhucheng-2017", "scope": "市本级", "check": "legacy_reading_points_same_concept",
               "status": "fail", "severity": "error", "responsibility": "source", "expected": 71.0, "actual": 87.0,
               "message": "十 设置政府信息查阅点数 (71) ≠ 十二(二) 设置政府信息公开查阅点数 (87)", "source_line": 550}]
    return {"reports": reports, "application_outcomes": outcomes, "key_domain_counts": domains,
            "validation_results": issues}
