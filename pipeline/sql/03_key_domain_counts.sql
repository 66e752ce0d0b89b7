-- One row per key_domain_count as written by the pipeline (contract: key_domain_counts).
CREATE OR REPLACE VIEW key_domain_counts AS
WITH source AS (
    SELECT * FROM read_parquet('{processed}/key_domain_counts.parquet')
),
final AS (
    SELECT * FROM source
)
SELECT * FROM final;
