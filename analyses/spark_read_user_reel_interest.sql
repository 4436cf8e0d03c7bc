-- sqlfluff:dialect:sparksql
-- Spark SQL (EMR, Glue jobs, Databricks, local pyspark): user_reel_interest.parquet as an
-- unmanaged table; dropping the table leaves the file. Compile with
-- `dbt compile --select spark_read_user_reel_interest`. LOCATION (var spark_location) is the file
-- itself, because rejected_events.parquet sits in the same output folder; on S3, point it at a
-- folder that holds only this table's files. A relative output_path is made absolute against
-- the working directory dbt compiles in (Spark would resolve it inside its warehouse), and
-- quoted as Spark reads a literal, whichever target compiles it. The columns are declared with
-- the file's own types rather than inferred, so a changed file fails loudly instead of silently
-- changing the table.
-- Without a metastore: select * from parquet.`<output_path>/user_reel_interest.parquet`.

create table if not exists
{{ plain_name_var('spark_database', 'loco_clips') }}.user_reel_interest (
    user_uid string,
    reel_uid string,
    liked boolean,
    unliked boolean,
    watched_ratio decimal(38, 9),
    is_interested boolean
)
using parquet
location {{ spark__sql_literal(absolute_path(
    var('spark_location', var('output_path').rstrip('/') ~ '/user_reel_interest.parquet')
)) }}
