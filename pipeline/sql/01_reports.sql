-- One row per report as written by the pipeline (contract: reports).
CREATE OR REPLACE VIEW reports AS
WITH source AS (
    SELECT * FROM read_parquet('{processed}/reports.parquet')
),
final AS (
    SELECT * FROM source
)
SELECT * FROM final;
