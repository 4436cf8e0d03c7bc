-- sqlfluff:dialect:athena
-- Athena / AWS Glue Data Catalog: user_reel_interest.parquet as an external table, read in place.
-- Compile with `dbt compile --select athena_user_reel_interest_external_table` and run the result
-- in Athena: that registers the table in the Glue Data Catalog. LOCATION is the published run's
-- folder holding only this table's file (Athena reads every file in a LOCATION):
-- <run_folder>user_reel_interest/, run_folder being var athena_run_folder, the `run_folder` of
-- <output_path>/_latest.json (macro athena_table_location). After each publish, point the table
-- at the new run: ALTER TABLE ... SET LOCATION '<tables.user_reel_interest of _latest.json>'.
-- The types are the Parquet file's own (tests/python/docs/test_external_table_analyses.py): the ids
-- are Parquet STRING, the flags BOOLEAN, watched_ratio DECIMAL(38, 9) (fixed-length bytes), so
-- Athena reads them without conversion and watched_ratio stays exact.

create external table if not exists
{{ plain_name_var('athena_database', 'loco_clips') }}.user_reel_interest (
    user_uid string,
    reel_uid string,
    liked boolean,
    unliked boolean,
    watched_ratio decimal(38, 9),
    is_interested boolean
)
-- `stored as parquet` spelled out (sqlfluff's athena dialect cannot parse the short form); it is
-- also what Glue's SHOW CREATE TABLE prints for a Parquet table.
row format serde 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
stored as
inputformat 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
outputformat 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
location {{ athena_table_location('user_reel_interest') }}
tblproperties (
    'parquet.compression' = 'ZSTD',
    'classification' = 'parquet'
)
