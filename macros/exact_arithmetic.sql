{#-
    Exact arithmetic on the durations (decimal(30, 18): 18 places, below 10^12 s), written so
    that no intermediate value can leave its type on either engine: every product is split into
    an integer part and a fraction part whose types hold it exactly (Spark would otherwise cut a
    decimal's scale to 6 places when a result type passes 38 digits), and every narrowing is a
    try_cast that gives NULL, never an error or a rounded value. Portable SQL: the same text
    runs on DuckDB and Spark.
-#}

{% macro loops_plus_last_loop(duration, loops, last_loop) -%}
    {#-
        Rule 2 for last_loop_only clients: duration * loops + last_loop, exact, as decimal(30, 18);
        NULL when the result is 10^12 s or more (outside the numeric domain: value_out_of_range).
        duration and last_loop are decimal(30, 18), loops a BIGINT.
    -#}
    {%- set count = 'cast(' ~ loops ~ ' as decimal(19, 0))' -%}
    try_cast(
        try_cast(floor({{ duration }}) * {{ count }} as decimal(31, 18))
        + try_cast(try_cast({{ duration }} % 1 as decimal(18, 18)) * {{ count }} as decimal(31, 18))
        + {{ last_loop }}
        as decimal(30, 18)
    )
{%- endmacro %}


{% macro is_ratio_out_of_range(watched, duration) -%}
    {#-
        True when watched / duration is 10^18 or more (a clip shorter than a microsecond watched
        for very long): outside the numeric domain, so that a pair's watched_ratio always fits
        decimal(38, 9). Exact: watched / duration >= 10^18 exactly when floor(watched) is at
        least duration * 10^18, an integer (18 places), which fits once duration < 10^-6.
    -#}
    coalesce(
        {{ duration }} < 0.000001
        and floor({{ watched }})
        >= try_cast({{ duration }} as decimal(18, 18)) * cast(1000000000000000000 as decimal(19, 0)),
        false
    )
{%- endmacro %}


{% macro exceeds_fraction_of(watched, fraction, duration) -%}
    {#-
        Rule 7: watched > fraction * duration, exactly (fraction is decimal(19, 18) from 0 to 1,
        duration decimal(30, 18), watched a sum of decimal(30, 18)). The product has 36 places,
        too many for one decimal type next to watched, so it is split: with d = floor(duration)
        and f = duration - d, watched - fraction * d is compared to fraction * f, which is in [0, 1).
    -#}
    {%- set rest = 'try_cast(' ~ watched ~ ' as decimal(31, 18)) - ' ~ fraction ~ ' * floor(' ~ duration ~ ')' -%}
    case
        when {{ watched }} >= 1000000000000 then true
        when {{ rest }} >= 1 then true
        when {{ rest }} <= 0 then false
        else try_cast({{ rest }} as decimal(19, 18))
            > {{ fraction }} * try_cast({{ duration }} % 1 as decimal(18, 18))
    end
{%- endmacro %}
