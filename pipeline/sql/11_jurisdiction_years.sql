-- Issuing body × report year panel, with last year's 结转下年度 next to this year's 上年结转.
-- Bodies are matched on the name as printed; when one body has several reports for a year the
-- best-read one (parsed, then partial, then failed; then by report_id) stands for it.
CREATE OR REPLACE VIEW jurisdiction_years AS
WITH candidates AS (
    SELECT *,
           count(*) OVER (PARTITION BY jurisdiction, report_year) AS n_reports,
           row_number() OVER (PARTITION BY jurisdiction, report_year
                              ORDER BY CASE status WHEN 'parsed' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END,
                                       report_id) AS pick
    FROM report_summary
    WHERE jurisdiction IS NOT NULL AND report_year IS NOT NULL
),
panel AS (
    SELECT * FROM candidates WHERE pick = 1
),
final AS (
    SELECT this.jurisdiction, this.report_year, this.report_id, this.n_reports, this.template, this.status,
           this.requests_received, this.requests_carried_over,
           prev.requests_carried_forward AS carried_forward_last_year,
           this.requests_carried_over - prev.requests_carried_forward AS carry_gap,
           this.requests_decided, this.requests_carried_forward, this.denied_pct, this.reviews, this.lawsuits,
           prev.report_id AS previous_report_id
    FROM panel this
    LEFT JOIN panel prev ON prev.jurisdiction = this.jurisdiction AND prev.report_year = this.report_year - 1
)
SELECT * FROM final ORDER BY jurisdiction, report_year;
