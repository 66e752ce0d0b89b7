-- The table instances (scopes) of each report, and which one speaks for the whole report.
-- Headline scope: the unscoped tables when there are any, else 本行政区域 (the whole jurisdiction,
-- which already includes 市本级), else the first scope by name. Reports without tables get one
-- row with a null scope, so every report has exactly one headline row.
CREATE OR REPLACE VIEW report_scopes AS
WITH table_scopes AS (
    SELECT DISTINCT report_id, scope FROM statistics
    UNION
    SELECT DISTINCT report_id, scope FROM application_outcomes WHERE source = 'table'
),
ranked AS (
    SELECT report_id, scope,
           row_number() OVER (PARTITION BY report_id
                              ORDER BY scope IS NOT NULL, scope IS DISTINCT FROM '本行政区域', scope) AS scope_rank
    FROM table_scopes
),
final AS (
    SELECT r.report_id, ranked.scope, coalesce(ranked.scope_rank = 1, true) AS headline
    FROM reports r
    LEFT JOIN ranked USING (report_id)
)
SELECT * FROM final;
