-- Table outcomes summed over applicants: one count per report, scope, stage and measure.
-- The printed 总计 column (applicant 'all') wins; where a report leaves it blank the applicant
-- columns are added up instead, and `applicants_summed` says so.
CREATE OR REPLACE VIEW outcome_totals AS
WITH table_rows AS (
    SELECT * FROM application_outcomes WHERE source = 'table'
),
summed AS (
    SELECT report_id, scope, stage, measure, outcome_group,
           coalesce(sum(count) FILTER (WHERE applicant = 'all'),
                    sum(count) FILTER (WHERE applicant <> 'all')) AS count,
           count(*) FILTER (WHERE applicant = 'all') = 0 AS applicants_summed,
           min(label) AS label,
           min(source_line) AS source_line
    FROM table_rows
    GROUP BY report_id, scope, stage, measure, outcome_group
),
final AS (
    SELECT s.report_id, s.scope, coalesce(sc.headline, false) AS headline, s.stage, s.measure, s.outcome_group,
           s.count, s.applicants_summed, s.label, s.source_line
    FROM summed s
    LEFT JOIN report_scopes sc ON sc.report_id = s.report_id AND sc.scope IS NOT DISTINCT FROM s.scope
)
SELECT * FROM final;
