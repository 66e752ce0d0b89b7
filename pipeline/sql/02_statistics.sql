-- One row per statistic as written by the pipeline (contract: statistics).
CREATE OR REPLACE VIEW statistics AS
WITH source AS (
    SELECT * FROM read_parquet('{processed}/statistics.parquet')
),
final AS (
    SELECT * FROM source
)
SELECT * FROM final;
