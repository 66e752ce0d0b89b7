-- Requests decided in the report year, by harmonised outcome group, as shares comparable across templates.
-- Denominator `decided`: the printed total of the year's decisions (std （七）总计 `processed_total`,
-- legacy 申请答复数 `answered`); when the report prints none, the sum of the six groups.
-- Requests carried forward to next year are undecided and in neither numerator nor denominator.
CREATE OR REPLACE VIEW outcome_shares AS
WITH request_totals AS (
    SELECT * FROM outcome_totals WHERE stage = 'request'
),
groups(outcome_group, group_order) AS (
    VALUES ('granted', 1), ('partially_granted', 2), ('denied', 3), ('unable', 4), ('not_processed', 5), ('other', 6)
),
-- A measure printed as the total of its details (legacy 不同意公开答复数 `denied` over `denied_state_secret` …;
-- the measures catalog names details `<total>_<detail>`) stands for them: adding both would count twice.
counted AS (
    SELECT t.* FROM request_totals t
    WHERE t.outcome_group IN (SELECT outcome_group FROM groups)
      AND NOT EXISTS (
          SELECT 1 FROM request_totals parent
          WHERE parent.report_id = t.report_id AND parent.scope IS NOT DISTINCT FROM t.scope
            AND starts_with(t.measure, parent.measure || '_'))
),
group_counts AS (
    SELECT report_id, scope, outcome_group, sum(count) AS count
    FROM counted
    GROUP BY report_id, scope, outcome_group
),
report_scopes_with_requests AS (
    SELECT report_id, scope, bool_or(headline) AS headline,
           sum(count) FILTER (WHERE measure IN ('processed_total', 'answered')) AS decided_printed
    FROM request_totals
    GROUP BY report_id, scope
),
grid AS (
    SELECT rs.*, g.outcome_group, g.group_order, gc.count
    FROM report_scopes_with_requests rs
    CROSS JOIN groups g
    LEFT JOIN group_counts gc
        ON gc.report_id = rs.report_id AND gc.scope IS NOT DISTINCT FROM rs.scope AND gc.outcome_group = g.outcome_group
),
with_denominator AS (
    SELECT *,
           sum(count) OVER (PARTITION BY report_id, scope) AS decided_sum,
           coalesce(decided_printed, sum(count) OVER (PARTITION BY report_id, scope)) AS decided,
           CASE WHEN decided_printed IS NOT NULL THEN 'printed_total'
                WHEN count(count) OVER (PARTITION BY report_id, scope) > 0 THEN 'sum_of_groups' END AS decided_source
    FROM grid
),
final AS (
    SELECT d.report_id, r.jurisdiction, r.report_year, r.template, d.scope, d.headline,
           d.outcome_group, d.group_order, d.count, d.decided, d.decided_source, d.decided_sum,
           round(100.0 * d.count / nullif(d.decided, 0), 2) AS share_pct
    FROM with_denominator d
    JOIN reports r USING (report_id)
)
SELECT * FROM final ORDER BY report_id, scope, group_order;
