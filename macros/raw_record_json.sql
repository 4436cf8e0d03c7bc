{% macro raw_record_json(fields) %}
    {{ return(adapter.dispatch('raw_record_json', 'loco_clips')(fields)) }}
{% endmacro %}

{% macro duckdb__raw_record_json(fields) -%}
    {#-
        Rebuild a parsed line as a JSON object from its fields' text: the raw_record of a rejected
        record. fields: a list of (JSON key, column, is_number). A number field whose text is a
        JSON value is written as that value (so 12.5 stays a number); anything else as a string.
        Unknown fields were never read, so they are not in it.
    -#}
    json_object(
        {%- for key, column, is_number in fields %}
        {{ dbt.string_literal(key) }},
        {%- if is_number %}
        case when json_valid({{ column }}) then cast({{ column }} as json) else to_json({{ column }}) end
        {%- else %}
        to_json({{ column }})
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )::varchar
{%- endmacro %}

{% macro spark__raw_record_json(fields) -%}
    {#-
        Spark: the same JSON text. A map keeps its keys in order; its values are variants, so a
        number field that is valid JSON is embedded as that value (rendered as DuckDB renders it:
        12.50 -> 12.5, 1e2 -> 100.0) and anything else as a string.
        Needs Spark 4 (try_parse_json, variant).
    -#}
    to_json(map(
        {%- for key, column, is_number in fields %}
        {{ dbt.string_literal(key) }},
        {%- if is_number %}
        coalesce(try_parse_json({{ column }}), cast({{ column }} as variant))
        {%- else %}
        cast({{ column }} as variant)
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ))
{%- endmacro %}
