{#-
    The one way a name, path, var or field value becomes SQL text: a string literal that the
    engine reads back as exactly that value. Never paste a value into SQL any other way.
-#}

{% macro sql_literal(value) %}
    {{ return(adapter.dispatch('sql_literal', 'loco_clips')(value ~ '')) }}
{% endmacro %}

{% macro default__sql_literal(value) -%}
    {#- Standard SQL (DuckDB, PostgreSQL): quotes doubled; a backslash is an ordinary character. -#}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_literal(value) -%}
    {#- Spark: a backslash starts an escape inside a literal, so it is escaped too. -#}
    '{{ value | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}


{% macro plain_name_var(name, default) %}
    {#-
        The var `name` (or `default`) used as a SQL name, such as a database: it must be a plain
        name, letters, digits and _ and not starting with a digit, which every engine reads
        as itself unquoted (Glue and Athena fold it to lower case). Anything else stops the run.
    -#}
    {%- set value = var(name, default) -%}
    {%- if not (value is string and modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', value)) -%}
        {{ exceptions.raise_compiler_error(
            "Invalid var " ~ name ~ ": it must be a plain name (letters, digits and _, not starting "
            ~ "with a digit), got " ~ tojson(value) ~ ".") }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}


{% macro duckdb_literal_path(path, what='path') %}
    {#-
        DuckDB's file readers (read_json, read_csv, read_blob, glob) expand [, ], * and ? in
        every path they are given, even in a list of paths. Each of them is put in a character
        class of its own ([[], []], [*], [?]), so the path names exactly one file. Returns the
        path as a SQL literal. Their glob also takes a backslash for a folder separator, in an
        escaped path too, so a path holding a backslash and one of [ ] * ? cannot be named at
        all: it stops the run (once SQL is compiled, not at parse time), calling the path
        `what`.
    -#}
    {%- if execute and '\\' in path and modules.re.search('[][*?]', path) -%}
        {{ exceptions.raise_compiler_error(
            "Unreadable " ~ what ~ " " ~ tojson(path) ~ ": DuckDB's file readers cannot name "
            ~ "a path holding a backslash and one of [ ] * ? exactly; rename it.") }}
    {%- endif -%}
    {%- set ns = namespace(escaped='') -%}
    {%- for character in path -%}
        {%- set ns.escaped = ns.escaped ~ ('[' ~ character ~ ']' if character in '[]*?' else character) -%}
    {%- endfor -%}
    {{ return(sql_literal(ns.escaped)) }}
{% endmacro %}


{% macro file_paths_relation(files) %}
    {#-
        The paths of listed raw files (list_raw_files rows: path first) as a relation with one
        column, `path`, each path through sql_literal: `(values ('a'), ('b')) as files (path)`.
    -#}
    (
        values
        {%- for file in files %}
        ({{ sql_literal(file[0]) }}){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as files (path)
{%- endmacro %}
