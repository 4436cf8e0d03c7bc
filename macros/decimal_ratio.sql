{% macro decimal_ratio(numerator, denominator) %}
    {{ return(adapter.dispatch('decimal_ratio', 'loco_clips')(numerator, denominator)) }}
{% endmacro %}

{% macro duckdb__decimal_ratio(numerator, denominator) -%}
    {#-
        numerator / denominator as decimal(38, 9), rounded half up, computed on integers so no
        float ever touches it (DuckDB divides decimals as doubles). Both inputs have scale 6.
    -#}
    cast(
        cast(
            (cast({{ numerator }} * 1000000 as hugeint) * 2000000000
                + cast({{ denominator }} * 1000000 as hugeint))
            // (2 * cast({{ denominator }} * 1000000 as hugeint))
            as decimal(38, 0)
        ) * 0.000000001
        as decimal(38, 9)
    )
{%- endmacro %}
