{% macro export_parquet(file_name, order_by) %}
    {{ return(adapter.dispatch('export_parquet', 'loco_clips')(file_name, order_by)) }}
{% endmacro %}

{% macro duckdb__export_parquet(file_name, order_by) %}
    {#-
        Post-hook of the marts: write the table just built to <output_path>/<file_name>.parquet.
        The folder is created when missing; DuckDB writes to a temporary file and renames it, so
        readers never see a half-written file.
    -#}
    {%- set folder = var('output_path').rstrip('/') -%}
    select make_directories({{ sql_literal(folder) }});
    copy (select * from {{ this }} order by {{ order_by }})
    to {{ sql_literal(folder ~ '/' ~ file_name ~ '.parquet') }}
    (format parquet, compression zstd, row_group_size 1000000, use_tmp_file true)
{% endmacro %}

{% macro spark__export_parquet(file_name, order_by) %}
    {#-
        Spark: the export is an external Parquet table, <table>_parquet, whose location is the
        folder <output_path>/<file_name>.parquet (part files), so other jobs can read the folder
        or query the table. The previous export table is dropped first (its files stay, being
        external) and rewritten in place (spark.sql.legacy.allowNonEmptyLocationInCTAS, set in
        the profile). A relative output_path is taken from the working directory, as on DuckDB.
    -#}
    {%- set location = absolute_path(var('output_path').rstrip('/') ~ '/' ~ file_name ~ '.parquet') -%}
    {%- set export_relation = this.incorporate(path={'identifier': this.identifier ~ '_parquet'}, type='table') -%}
    {%- if execute -%}
        {%- do adapter.drop_relation(export_relation) -%}
    {%- endif -%}
    create table {{ export_relation }}
    using parquet
    options (compression 'zstd')
    location {{ sql_literal(location) }}
    as select * from {{ this }} order by {{ order_by }}
{% endmacro %}


{% macro absolute_path(path) %}
    {#-
        path, made absolute against the working directory of the engine when it is relative.
        Spark resolves a relative table location against the database folder, not the working
        directory, so Spark asks its JVM for the latter.
    -#}
    {{ return(adapter.dispatch('absolute_path', 'loco_clips')(path)) }}
{% endmacro %}

{% macro default__absolute_path(path) %}
    {{ return(path) }}
{% endmacro %}

{% macro spark__absolute_path(path) %}
    {%- if path.startswith('/') or '://' in path or not execute -%}
        {{ return(path) }}
    {%- endif -%}
    {%- set query -%}
        select java_method('java.lang.System', 'getProperty', 'user.dir')
    {%- endset -%}
    {%- set working_directory = run_query(query).columns[0].values()[0] -%}
    {{ return(working_directory.rstrip('/') ~ '/' ~ path) }}
{% endmacro %}
