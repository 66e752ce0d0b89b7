-- One row per application_outcome as written by the pipeline (contract: application_outcomes).
CREATE OR REPLACE VIEW application_outcomes AS
WITH source AS (
    SELECT * FROM read_parquet('{processed}/application_outcomes.parquet')
),
final AS (
    SELECT * FROM source
)
SELECT * FROM final;
