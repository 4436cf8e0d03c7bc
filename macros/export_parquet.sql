{% macro export_parquet(relation, location, order_by) %}
    {{ return(adapter.dispatch('export_parquet', 'loco_clips')(relation, location, order_by)) }}
{% endmacro %}

{% macro duckdb__export_parquet(relation, location, order_by) %}
    {#-
        Writes relation to the Parquet file location (its folder must exist), sorted. Called by
        duckdb__publish_run into a fresh run folder, which readers do not see until it is
        published, so no temporary file is needed.
    -#}
    {%- set query -%}
        copy (select * from {{ relation }} order by {{ order_by }})
        to {{ sql_literal(location) }}
        (format parquet, compression zstd, row_group_size 1000000)
    {%- endset -%}
    {%- do run_query(query) -%}
{% endmacro %}

{% macro spark__export_parquet(relation, location, order_by) %}
    {#-
        Spark: writes relation to the folder location as sorted Parquet part files, without
        touching the catalog (called by spark__publish_run into a fresh run folder). A relative
        location is taken from the working directory, as on DuckDB.
    -#}
    {%- set query -%}
        insert overwrite directory {{ sql_literal(absolute_path(location)) }}
        using parquet
        options (compression 'zstd')
        select * from {{ relation }} order by {{ order_by }}
    {%- endset -%}
    {%- do run_query(query) -%}
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

{% macro duckdb__absolute_path(path) %}
    {#- DuckDB resolves a relative path against the process's working directory: the plugin's absolute_path(). -#}
    {%- if path.startswith('/') or '://' in path or not execute -%}
        {{ return(path) }}
    {%- endif -%}
    {{ return(run_query('select absolute_path(' ~ sql_literal(path) ~ ')').columns[0].values()[0]) }}
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
