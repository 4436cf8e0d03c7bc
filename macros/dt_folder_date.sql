{% macro dt_folder_date(path) -%}
    {#-
        The date of the last `dt=YYYY-MM-DD` folder in a file path (a path segment of its own,
        followed by `/`): NULL when the path has none, or when that date does not exist
        (dt=2025-13-45). A file name that merely contains `dt=` is no folder. The same SQL on
        DuckDB and Spark: both have regexp_extract (RE2 / Java regexes, the same here; `(?s)` lets
        `.` cross a line break in a hostile name) and try_cast.
    -#}
    try_cast(
        nullif(regexp_extract({{ path }}, {{ sql_literal('(?s)^(?:.*/)?dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/') }}, 1), '')
        as date
    )
{%- endmacro %}
