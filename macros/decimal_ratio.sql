{% macro decimal_ratio(numerator, denominator) %}
    {{ return(adapter.dispatch('decimal_ratio', 'loco_clips')(numerator, denominator)) }}
{% endmacro %}

{% macro duckdb__decimal_ratio(numerator, denominator) -%}
    {#-
        numerator / denominator as decimal(38, 9), rounded half up, computed on integers so no
        float ever touches it (DuckDB divides decimals as doubles). Both inputs have scale 6; each
        is widened to decimal(38, 6) before it is scaled (DuckDB keeps decimal(18, 6) * 1000000 at
        width 18, which overflows from a clip of 1,000,000 s).
    -#}
    {%- set scaled_numerator = 'cast(cast(' ~ numerator ~ ' as decimal(38, 6)) * 1000000 as hugeint)' -%}
    {%- set scaled_denominator = 'cast(cast(' ~ denominator ~ ' as decimal(38, 6)) * 1000000 as hugeint)' -%}
    cast(
        cast(
            ({{ scaled_numerator }} * 2000000000 + {{ scaled_denominator }})
            // (2 * {{ scaled_denominator }})
            as decimal(38, 0)
        ) * 0.000000001
        as decimal(38, 9)
    )
{%- endmacro %}

{% macro spark__decimal_ratio(numerator, denominator) -%}
    {#-
        Spark: the same integer arithmetic on decimal(38, 0) (Spark has no HUGEINT, and its
        decimal division rounds to a scale of its own choosing). The half-up quotient is taken as
        (a - a % b) / b, exact; it is narrowed to decimal(28, 0) so that multiplying by 1e-9 keeps
        all 9 places.
    -#}
    {%- set scaled_numerator = 'cast(' ~ numerator ~ ' * 1000000 as decimal(38, 0))' -%}
    {%- set scaled_denominator = 'cast(' ~ denominator ~ ' * 1000000 as decimal(38, 0))' -%}
    {%- set dividend = '(' ~ scaled_numerator ~ ' * 2000000000 + ' ~ scaled_denominator ~ ')' -%}
    {%- set divisor = '(2 * ' ~ scaled_denominator ~ ')' -%}
    cast(
        cast(({{ dividend }} - {{ dividend }} % {{ divisor }}) / {{ divisor }} as decimal(28, 0))
        * 0.000000001
        as decimal(38, 9)
    )
{%- endmacro %}
