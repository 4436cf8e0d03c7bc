{{ config(enabled=target.type == 'duckdb') }}
-- Staging keeps every line: for each file loaded in this run (load_id = this invocation), its rows
-- in staging equal its non-blank lines, counted again as plain text without parsing any JSON
-- (the plugin's count_text_lines, which reads lines as int_unparsed_lines_recovered does). Only
-- this run's files are read again, so a daily incremental run rereads just its new files; it
-- checks the files of its own `dbt build` (a later, separate `dbt test` loaded no file and checks
-- none). DuckDB only: Spark's reader
-- makes staging from the text lines themselves, one row per non-blank line.

{%- set staging = [
    ref('stg_clips__reel_watched'),
    ref('stg_clips__reel_liked'),
    ref('stg_clips__reel_unliked'),
] %}

{%- set files = [] %}
{%- if execute %}
    {%- for relation in staging
        if adapter.get_relation(relation.database, relation.schema, relation.identifier) %}
        {%- set query %}
            select distinct source_file from {{ relation }}
            where load_id = {{ sql_literal(invocation_id) }}
        {%- endset %}
        {%- do files.extend(run_query(query).columns[0].values()) %}
    {%- endfor %}
{%- endif %}

with

staged_lines as (

    select source_file
    from {{ ref('stg_clips__reel_watched') }}
    where load_id = {{ sql_literal(invocation_id) }}
    union all
    select source_file
    from {{ ref('stg_clips__reel_liked') }}
    where load_id = {{ sql_literal(invocation_id) }}
    union all
    select source_file
    from {{ ref('stg_clips__reel_unliked') }}
    where load_id = {{ sql_literal(invocation_id) }}

),

staged_per_file as (

    select
        source_file,
        count(*) as staged_rows
    from staged_lines
    group by source_file

),

lines_per_file as (

    select
        file_path as source_file,
        count_text_lines(file_path) as file_lines
    from (
        {%- if files %}
        values
        {%- for file in files | sort %}
        ({{ sql_literal(file) }}){% if not loop.last %},{% endif %}
        {%- endfor %}
        {%- else %}
            select cast(null as varchar) as file_path
            where false
        {%- endif %}
    ) as files (file_path)

),

compared as (

    select
        coalesce(staged_per_file.source_file, lines_per_file.source_file) as source_file,
        coalesce(staged_per_file.staged_rows, 0) as staged_rows,
        coalesce(lines_per_file.file_lines, 0) as file_lines
    from staged_per_file
    full outer join lines_per_file
        on staged_per_file.source_file = lines_per_file.source_file

)

select * from compared
where staged_rows <> file_lines
