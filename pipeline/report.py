"""One self-contained HTML page of what a build found: reports, failed checks, outcome shares, domain counts."""
from __future__ import annotations

from html import escape
from pathlib import Path

GROUP_COLOURS = {  # outcome_group → bar colour; readable on white, distinct in greyscale too
    "granted": "#2e7d32", "partially_granted": "#9ccc65", "denied": "#c62828",
    "unable": "#f9a825", "not_processed": "#6d4c41", "other": "#90a4ae",
}
QUALIFIER_MARKS = {"exact": "", "at_least": "≥ ", "approx": "≈ ", "at_most": "≤ "}

QUERIES = {
    "statuses": "SELECT status, count(*) AS reports FROM reports GROUP BY status ORDER BY status",
    "reports": """SELECT report_id, jurisdiction, report_year, template, layout, status, error, requests_received,
                         requests_decided, denied_pct, reviews, lawsuits, domain_counts, failed_checks
                  FROM report_summary ORDER BY CASE status WHEN 'failed' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END,
                           jurisdiction, report_year, report_id""",
    "check_kinds": """SELECT "check", severity, responsibility, count(*) AS failures,
                             count(DISTINCT report_id) AS reports
                      FROM validation_issues GROUP BY ALL ORDER BY failures DESC, "check" """,
    "issues": """SELECT "check", report_id, scope, message, source_line FROM validation_issues
                 ORDER BY "check", report_id, source_line""",
    "shares": """SELECT report_id, jurisdiction, report_year, scope, outcome_group, count, decided, share_pct
                 FROM outcome_shares WHERE headline ORDER BY jurisdiction, report_year, report_id, group_order""",
    "domains": """SELECT d.report_id, r.jurisdiction, r.report_year, d.domain, d.domain_label, d.count, d.qualifier, d.unit
                  FROM key_domain_counts d JOIN reports r USING (report_id)
                  ORDER BY r.jurisdiction, r.report_year, d.report_id, d.count DESC, d.domain""",
}


def gather(con) -> dict[str, list[dict]]:
    """Every figure the page shows, as rows of dicts, read from the views of one build."""
    data = {}
    for name, sql in QUERIES.items():
        cursor = con.execute(sql)
        columns = [c[0] for c in cursor.description]
        data[name] = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return data


# ---------------------------------------------------------------- rendering (pure)

def _num(value, digits: int = 0) -> str:
    if value is None or value != value:  # None or NaN: blank is not 0
        return "—"
    return f"{value:,.{digits}f}" if digits else f"{value:,.0f}"


def _td(value, cls: str = "") -> str:
    return f'<td class="{cls}">{value}</td>' if cls else f"<td>{value}</td>"


def _report_name(row: dict) -> str:
    who = row.get("jurisdiction") or row["report_id"]
    return escape(f"{who} {row['report_year']}" if row.get("report_year") else who)


def _status_cards(statuses: list[dict]) -> str:
    counts = {r["status"]: r["reports"] for r in statuses}
    cards = [f'<div class="card {s}"><span class="big" data-status="{s}">{counts.get(s, 0)}</span> {s}</div>'
             for s in ("parsed", "partial", "failed")]
    return f'<div class="cards">{"".join(cards)}</div>'


def _reports_table(reports: list[dict]) -> str:
    head = ("<tr><th>report</th><th>issuing body</th><th>year</th><th>template</th><th>layout</th><th>status</th>"
            "<th>why not parsed</th><th>received</th><th>decided</th><th>denied %</th><th>reviews</th>"
            "<th>lawsuits</th><th>domain counts</th><th>failed checks</th></tr>")
    rows = []
    for r in reports:
        rows.append("<tr>" + "".join([
            _td(escape(r["report_id"])), _td(escape(r["jurisdiction"] or "—")), _td(r["report_year"] or "—"),
            _td(r["template"]), _td(r["layout"]), _td(f'<span class="badge {r["status"]}">{r["status"]}</span>'),
            _td(escape(r["error"] or ""), "why"), _td(_num(r["requests_received"]), "num"),
            _td(_num(r["requests_decided"]), "num"), _td(_num(r["denied_pct"], 2), "num"),
            _td(_num(r["reviews"]), "num"), _td(_num(r["lawsuits"]), "num"),
            _td(r["domain_counts"], "num"), _td(r["failed_checks"], "num")]) + "</tr>")
    return f'<table id="reports">{head}{"".join(rows)}</table>'


def _checks_section(kinds: list[dict], issues: list[dict]) -> str:
    if not kinds:
        return '<p class="empty">No check failed.</p>'
    head = "<tr><th>check</th><th>severity</th><th>responsibility</th><th>failures</th><th>reports</th></tr>"
    rows = "".join("<tr>" + _td(f"<code>{escape(k['check'])}</code>") + _td(k["severity"]) + _td(k["responsibility"])
                   + _td(k["failures"], "num") + _td(k["reports"], "num") + "</tr>" for k in kinds)
    details = []
    for kind in kinds:
        items = "".join(f"<li><b>{escape(i['report_id'])}</b>{' · ' + escape(i['scope']) if i['scope'] else ''}"
                        f"{' · line ' + str(i['source_line']) if i['source_line'] else ''}: {escape(i['message'])}</li>"
                        for i in issues if i["check"] == kind["check"])
        details.append(f"<details><summary><code>{escape(kind['check'])}</code> ({kind['failures']})</summary>"
                       f"<ul>{items}</ul></details>")
    return f'<table id="check-kinds">{head}{rows}</table>{"".join(details)}'


def _by_report(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["report_id"], []).append(row)
    return grouped


def _share_bar(groups: list[dict]) -> str:
    segments = []
    for g in groups:
        if g["share_pct"]:
            label = f"{g['outcome_group']}: {_num(g['count'])} of {_num(g['decided'])} ({g['share_pct']:.2f}%)"
            text = f"{g['share_pct']:.1f}%" if g["share_pct"] >= 6 else ""
            segments.append(f'<div class="seg" style="width:{g["share_pct"]:.2f}%;background:'
                            f'{GROUP_COLOURS[g["outcome_group"]]}" title="{escape(label)}">{text}</div>')
    return f'<div class="bar">{"".join(segments)}</div>'


def _shares_section(shares: list[dict]) -> str:
    if not shares:
        return '<p class="empty">No outcome table was read in this build.</p>'
    legend = "".join(f'<span><i style="background:{c}"></i>{g}</span>' for g, c in GROUP_COLOURS.items())
    rows = []
    for report_id, groups in _by_report(shares).items():
        scope = f" · {escape(groups[0]['scope'])}" if groups[0]["scope"] else ""
        cells = "".join(f'<td class="num" data-group="{g["outcome_group"]}">{_num(g["share_pct"], 2)}</td>'
                        for g in groups)
        rows.append(f'<tr data-report="{escape(report_id)}"><th>{_report_name(groups[0])}{scope}</th>'
                    f'<td class="num">{_num(groups[0]["decided"])}</td><td class="chart">{_share_bar(groups)}</td>'
                    f"{cells}</tr>")
    head = ("<tr><th>report</th><th>decided</th><th>shares of decided requests</th>"
            + "".join(f"<th>{g} %</th>" for g in GROUP_COLOURS) + "</tr>")
    note = ("<p class=\"note\">Share = requests in the group ÷ requests decided in the year (the printed total of the "
            "year's outcomes: std （七）总计, legacy 申请答复数). — means the report printed no cell: blank is not 0.</p>")
    return f'<div class="legend">{legend}</div><table id="shares">{head}{"".join(rows)}</table>{note}'


def _domains_section(domains: list[dict]) -> str:
    if not domains:
        return '<p class="empty">No domain count was read in this build.</p>'
    blocks = []
    for report_id, rows in _by_report(domains).items():
        top = max(r["count"] for r in rows) or 1
        bars = "".join(
            f'<div class="hrow"><span class="hlabel">{escape(r["domain_label"])}</span>'
            f'<span class="hbar"><span style="width:{100 * r["count"] / top:.1f}%"></span></span>'
            f'<span class="hval" data-domain="{escape(r["domain"])}">{QUALIFIER_MARKS.get(r["qualifier"], "")}'
            f'{_num(r["count"])} {escape(r["unit"])}</span></div>' for r in rows)
        blocks.append(f'<div class="domains" data-report="{escape(report_id)}"><h3>{_report_name(rows[0])}</h3>{bars}</div>')
    note = '<p class="note">≥ marks an at_least count (余, 多, 以上): a lower bound. Bars are scaled within each report.</p>'
    return "".join(blocks) + note


STYLE = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.why{max-width:28em;color:#555}
.cards{display:flex;gap:12px}.card{border:1px solid #ccc;border-radius:6px;padding:8px 16px}
.big{font-size:28px;font-weight:bold;margin-right:4px}
.badge{border-radius:3px;padding:0 5px;color:#fff}.parsed{background:#2e7d32}.partial{background:#ef6c00}
.failed{background:#c62828}.card.parsed,.card.partial,.card.failed{background:#fff;border-left:6px solid}
.card.parsed{border-left-color:#2e7d32}.card.partial{border-left-color:#ef6c00}.card.failed{border-left-color:#c62828}
td.chart{width:360px}.bar{display:flex;height:20px;background:#f3f3f3;width:360px}
.seg{color:#fff;font-size:11px;line-height:20px;text-align:center;overflow:hidden;white-space:nowrap}
.legend span{margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.hrow{display:flex;align-items:center;gap:8px;margin:2px 0}.hlabel{width:16em;text-align:right}
.hbar{width:300px;height:14px;background:#f3f3f3;display:inline-block}.hbar span{display:block;height:14px;background:#1565c0}
.note{color:#666;font-size:12px}.empty{color:#666;font-style:italic}details{margin:4px 0}
"""


def render(data: dict[str, list[dict]], title: str = "ogi build report") -> str:
    total = sum(r["reports"] for r in data["statuses"])
    body = [
        f"<h1>{escape(title)}</h1><p>{total} reports in this build.</p>",
        _status_cards(data["statuses"]),
        "<h2>Reports</h2>", _reports_table(data["reports"]),
        "<h2>Failed checks by kind</h2>", _checks_section(data["check_kinds"], data["issues"]),
        "<h2>Outcome of requests, by report</h2>", _shares_section(data["shares"]),
        "<h2>Domain counts, by report</h2>", _domains_section(data["domains"]),
    ]
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def write_report(db_path: Path, out_file: Path) -> Path:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        html = render(gather(con))
    finally:
        con.close()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(html, encoding="utf-8")
    return out_file
