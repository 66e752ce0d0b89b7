-- The failed checks: what a reader of a report should look at first.
CREATE OR REPLACE VIEW validation_issues AS
WITH results AS (
    SELECT * FROM validation_results
),
final AS (
    SELECT * FROM results WHERE status = 'fail'
)
SELECT * FROM final;
