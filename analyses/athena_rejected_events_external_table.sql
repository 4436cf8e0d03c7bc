-- sqlfluff:dialect:athena
-- Athena / AWS Glue Data Catalog: rejected_events.parquet as an external table, read in place.
-- Compile with `dbt compile --select athena_rejected_events_external_table` and run the result in
-- Athena. It holds raw records (personal data): create it in a database of its own, readable by
-- the owning team only (var athena_restricted_database). LOCATION is the published run's folder
-- holding only this table's file: <run_folder>rejected_events/, run_folder being var
-- athena_run_folder, the `run_folder` of <output_path>/_latest.json (macro athena_table_location);
-- after each publish: ALTER TABLE ... SET LOCATION '<tables.rejected_events of _latest.json>'.
-- The types are the Parquet file's own (tests/python/docs/test_external_table_analyses.py); every
-- column may be NULL in the file, as Athena columns always may. event_date is the dt=YYYY-MM-DD
-- folder of the source file (NULL without one).

create external table if not exists
{{ plain_name_var('athena_restricted_database', 'loco_clips_restricted') }}.rejected_events (
    event_type string,
    source_file string,
    reason_code string,
    raw_record string,
    event_date date
)
row format serde 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
stored as
inputformat 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
outputformat 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
location {{ athena_table_location('rejected_events') }}
tblproperties (
    'parquet.compression' = 'ZSTD',
    'classification' = 'parquet'
)
