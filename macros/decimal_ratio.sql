{% macro decimal_ratio(numerator, denominator) %}
    {{ return(adapter.dispatch('decimal_ratio', 'loco_clips')(numerator, denominator)) }}
{% endmacro %}

{#-
    Both implementations compute the same integers. With N = numerator * 10^18 (below 10^38: the
    numerator is below 10^20) and D = denominator * 10^18 (below 10^30), the quotient q = N div D
    and remainder r are exact; the 9 decimals are r * 10^9 / D rounded half up, taken in two
    steps (4 digits, then 5 and the rounding) so that no product passes 10^36. The result is
    q + decimals / 10^9; q is below 10^28 in the numeric domain.
-#}

{% macro duckdb__decimal_ratio(numerator, denominator) -%}
    {#-
        numerator / denominator as decimal(38, 9), rounded half up, on HUGEINT (DuckDB divides
        decimals as doubles). Both inputs have scale 18; the numerator is below 10^20, the
        denominator positive and below 10^12.
    -#}
    {%- set n = scaled_integer(numerator) -%}
    {%- set d = scaled_integer(denominator) -%}
    {%- set r4 = '((' ~ n ~ ') % (' ~ d ~ ') * 10000)' -%}
    {%- set r5 = '(' ~ r4 ~ ' % (' ~ d ~ '))' -%}
    cast(
        cast(cast(({{ n }}) // ({{ d }}) as decimal(28, 0)) as decimal(37, 9))
        + cast(
            {{ r4 }} // ({{ d }}) * 100000 + ({{ r5 }} * 200000 + ({{ d }})) // (2 * ({{ d }}))
            as decimal(10, 0)
        ) * 0.000000001
        as decimal(38, 9)
    )
{%- endmacro %}

{% macro scaled_integer(value) %}
    {{ return(adapter.dispatch('scaled_integer', 'loco_clips')(value)) }}
{% endmacro %}

{% macro duckdb__scaled_integer(value) -%}
    {#- A non-negative decimal with 18 places below 10^20, times 10^18, as a HUGEINT (exact). -#}
    (cast(floor({{ value }}) as hugeint) * 1000000000000000000
        + cast(({{ value }} % 1) * 1000000000000000000 as hugeint))
{%- endmacro %}

{% macro spark__decimal_ratio(numerator, denominator) -%}
    {#-
        Spark: the same integers on decimal(38, 0) (Spark has no HUGEINT, and its decimal
        division rounds to a scale of its own choosing). An integer quotient is (a - a % b) / b,
        exact. Every operand is cast so that no result type passes 38 digits (Spark would cut
        the scale); the quotient is narrowed to decimal(28, 0) so that adding 9 places fits.
    -#}
    {%- set n = scaled_integer(numerator) -%}
    {%- set d = scaled_integer(denominator) -%}
    {%- set r4 = '(cast((' ~ n ~ ') % (' ~ d ~ ') as decimal(30, 0)) * cast(10000 as decimal(5, 0)))' -%}
    {%- set r5 = 'cast(' ~ r4 ~ ' % (' ~ d ~ ') as decimal(30, 0))' -%}
    {%- set half_up = '(' ~ r5 ~ ' * cast(200000 as decimal(6, 0)) + (' ~ d ~ '))' -%}
    {%- set twice = '(cast(2 as decimal(1, 0)) * (' ~ d ~ '))' -%}
    cast(
        cast(cast({{ spark_integer_quotient(n, d) }} as decimal(28, 0)) as decimal(37, 9))
        + cast(
            {{ spark_integer_quotient(r4, d) }} * cast(100000 as decimal(6, 0))
            + {{ spark_integer_quotient(half_up, twice) }}
            as decimal(10, 0)
        ) * 0.000000001
        as decimal(38, 9)
    )
{%- endmacro %}

{% macro spark__scaled_integer(value) -%}
    {#- A non-negative decimal with 18 places below 10^20, times 10^18, as decimal(38, 0) (exact). -#}
    cast(
        floor({{ value }}) * cast(1000000000000000000 as decimal(19, 0))
        + cast(
            cast({{ value }} % 1 as decimal(18, 18)) * cast(1000000000000000000 as decimal(19, 0))
            as decimal(38, 0)
        )
        as decimal(38, 0)
    )
{%- endmacro %}

{% macro spark_integer_quotient(dividend, divisor) -%}
    {#- dividend div divisor for non-negative integers, exact: (a - a % b) / b. -#}
    cast((({{ dividend }}) - ({{ dividend }}) % ({{ divisor }})) / ({{ divisor }}) as decimal(38, 0))
{%- endmacro %}
