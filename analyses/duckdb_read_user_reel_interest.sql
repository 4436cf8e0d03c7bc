-- DuckDB: read user_reel_interest.parquet in place, no load step. The view re-reads the file on
-- every query, so a newly published run is seen at once (the name is a symlink into the
-- current run's folder, swapped in one rename: a query reads one whole run's file). Compile with
-- `dbt compile --select duckdb_read_user_reel_interest`; the path is `<output_path>`, quoted and
-- with its glob characters escaped (macro duckdb_literal_path), so it names exactly that file.
-- On S3 use the s3:// URL instead (needs DuckDB's httpfs extension and credentials).
-- Filters on user_uid skip row groups by their min/max statistics (the file is sorted by
-- user_uid, reel_uid; see docs/parquet.md).

create or replace view user_reel_interest as
select
    user_uid,
    reel_uid,
    liked,
    unliked,
    watched_ratio,
    is_interested
from
    read_parquet(
        {{ duckdb_literal_path(var('output_path').rstrip('/') ~ '/user_reel_interest.parquet') }}
    )
