-- One row per report: who issued it, for which year, how it was read, and its headline numbers.
-- Numbers come from the report's tables in its headline scope (see report_scopes).
CREATE OR REPLACE VIEW report_summary AS
WITH headline_totals AS (
    SELECT * FROM outcome_totals WHERE headline
),
requests AS (
    SELECT report_id,
           sum(count) FILTER (WHERE measure = 'received') AS requests_received,
           sum(count) FILTER (WHERE measure = 'carried_over') AS requests_carried_over,
           sum(count) FILTER (WHERE measure = 'carried_forward') AS requests_carried_forward
    FROM headline_totals
    WHERE stage = 'request'
    GROUP BY report_id
),
shares AS (
    SELECT report_id, any_value(decided) AS requests_decided,
           any_value(share_pct) FILTER (WHERE outcome_group = 'granted') AS granted_pct,
           any_value(share_pct) FILTER (WHERE outcome_group = 'partially_granted') AS partially_granted_pct,
           any_value(share_pct) FILTER (WHERE outcome_group = 'denied') AS denied_pct,
           any_value(share_pct) FILTER (WHERE outcome_group = 'unable') AS unable_pct,
           any_value(share_pct) FILTER (WHERE outcome_group = 'not_processed') AS not_processed_pct,
           any_value(share_pct) FILTER (WHERE outcome_group = 'other') AS other_pct
    FROM outcome_shares
    WHERE headline
    GROUP BY report_id
),
-- A stage's printed 总计 wins; without it, its results (维持, 纠正, 其他, 尚未审结) are added up.
stage_totals AS (
    SELECT report_id, stage,
           coalesce(sum(count) FILTER (WHERE measure = 'total'),
                    sum(count) FILTER (WHERE measure IN ('maintained', 'corrected', 'other_result', 'pending'))) AS cases
    FROM headline_totals
    WHERE stage <> 'request'
    GROUP BY report_id, stage
),
appeals AS (
    SELECT report_id,
           sum(cases) FILTER (WHERE stage = 'review') AS reviews,
           sum(cases) FILTER (WHERE stage LIKE 'litigation%') AS lawsuits
    FROM stage_totals
    GROUP BY report_id
),
domains AS (
    SELECT report_id, count(*) AS domain_counts FROM key_domain_counts GROUP BY report_id
),
issues AS (
    SELECT report_id, count(*) AS failed_checks FROM validation_issues GROUP BY report_id
),
final AS (
    SELECT r.report_id, r.jurisdiction, r.report_year, r.template, r.layout, r.status, r.error, sc.scope,
           q.requests_received, q.requests_carried_over, s.requests_decided, q.requests_carried_forward,
           s.granted_pct, s.partially_granted_pct, s.denied_pct, s.unable_pct, s.not_processed_pct, s.other_pct,
           a.reviews, a.lawsuits,
           coalesce(d.domain_counts, 0) AS domain_counts,
           coalesce(i.failed_checks, 0) AS failed_checks
    FROM reports r
    JOIN report_scopes sc ON sc.report_id = r.report_id AND sc.headline
    LEFT JOIN requests q ON q.report_id = r.report_id
    LEFT JOIN shares s ON s.report_id = r.report_id
    LEFT JOIN appeals a ON a.report_id = r.report_id
    LEFT JOIN domains d ON d.report_id = r.report_id
    LEFT JOIN issues i ON i.report_id = r.report_id
)
SELECT * FROM final ORDER BY jurisdiction, report_year, report_id;
