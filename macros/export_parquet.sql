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
    select make_directories({{ dbt.string_literal(folder) }});
    copy (select * from {{ this }} order by {{ order_by }})
    to {{ dbt.string_literal(folder ~ '/' ~ file_name ~ '.parquet') }}
    (format parquet, compression zstd, row_group_size 1000000, use_tmp_file true)
{% endmacro %}
