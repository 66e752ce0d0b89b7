-- One row per validation_result as written by the pipeline (contract: validation_results).
CREATE OR REPLACE VIEW validation_results AS
WITH source AS (
    SELECT * FROM read_parquet('{processed}/validation_results.parquet')
),
final AS (
    SELECT * FROM source
)
SELECT * FROM final;
