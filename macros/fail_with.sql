{#-
    Failure messages for the quality gates. A gate selects one row carrying its message and
    filters on fail_with(message): the query raises the message itself, so `dbt build` prints
    what failed, with the numbers, instead of "Got 1 result".
-#}

{% macro fail_with(message) %}
    {#-
        A boolean SQL expression: false when message is NULL or empty (nothing failed: Spark's
        listagg of no rows is ''); otherwise the query stops with message as its error (and were
        it not to stop, the row would be returned).
        Use it in a WHERE clause: engines drop an unused select-list column without evaluating it.
    -#}
    {{ return(adapter.dispatch('fail_with', 'loco_clips')(message)) }}
{% endmacro %}

{% macro duckdb__fail_with(message) -%}
    (case when coalesce({{ message }}, '') = '' then false else error({{ message }}) is null end)
{%- endmacro %}

{% macro spark__fail_with(message) -%}
    (case when coalesce({{ message }}, '') = '' then false else raise_error({{ message }}) is null end)
{%- endmacro %}


{% macro percent_text(part, whole) %}
    {#-
        part / whole as a percentage with one decimal, as text ('44.7'), rounded half up, computed
        on integers (no floating point). Both are non-negative integers; NULL when whole is 0.
    -#}
    {{ return(adapter.dispatch('percent_text', 'loco_clips')(part, whole)) }}
{% endmacro %}

{% macro duckdb__percent_text(part, whole) -%}
    {%- set tenths -%}
        ((2000 * cast({{ part }} as hugeint) + {{ whole }}) // (2 * nullif(cast({{ whole }} as hugeint), 0)))
    {%- endset -%}
    (cast({{ tenths }} // 10 as varchar) || '.' || cast({{ tenths }} % 10 as varchar))
{%- endmacro %}

{% macro spark__percent_text(part, whole) -%}
    {%- set tenths -%}
        ((2000 * cast({{ part }} as bigint) + {{ whole }}) div (2 * nullif(cast({{ whole }} as bigint), 0)))
    {%- endset -%}
    (cast({{ tenths }} div 10 as string) || '.' || cast({{ tenths }} % 10 as string))
{%- endmacro %}


{% macro decimal_text(value) -%}
    {#-
        A decimal as short text, trailing zeros of the fraction dropped: 10.000000000 is '10',
        10.5 is '10.5'. value must be a decimal type (its text always has a point).
    -#}
    (
        case
            when {{ value }} = 0 then '0'
            else regexp_replace(cast({{ value }} as {{ dbt.type_string() }}), '[.]?0+$', '')
        end
    )
{%- endmacro %}
