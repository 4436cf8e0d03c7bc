{#-
    Turning the text of a JSON value into a number, exactly. A JSON number and a JSON string holding
    the same number are the same value. Anything else (a word, a boolean, an empty string, a value
    that needs more decimals than the type holds, or is too large for it) gives NULL, which the
    validation models turn into the field's reason code. Nothing is ever rounded: the number of
    decimals a text needs is read off its digits and exponent, with no float involved.
-#}

{% macro number_pattern() %}
    {#- The number grammar: JSON's, plus a leading or trailing dot; exponents of at most 4 digits. -#}
    {{ return('-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,4})?') }}
{% endmacro %}


{% macro parse_integer(text) -%}
    {#-
        An integer in the signed 64-bit range, as a BIGINT: digits (1764070631000, "3") or any
        number text whose value is an integer (100.0, 1e3, 1.5e1); not 1.5, 1e30, 9223372036854775808.
    -#}
    {%- set trimmed = 'trim(' ~ text ~ ')' -%}
    case
        when {{ regexp_full_match(trimmed, '-?[0-9]+') }} then try_cast({{ trimmed }} as bigint)
        when
            {{ regexp_full_match(trimmed, number_pattern()) }}
            and {{ number_text_scale(trimmed) }} <= 0
            then try_cast({{ exact_number_text(trimmed) }} as bigint)
    end
{%- endmacro %}


{% macro parse_decimal(text) -%}
    {#-
        An exact decimal(30, 18): at most 18 decimals and below 10^12 in magnitude (the numeric
        domain of durations). Plain text with at most 18 decimals is cast directly; any other
        number text (an exponent, trailing zeros past 18 places) is rewritten as plain text first.
    -#}
    {%- set trimmed = 'trim(' ~ text ~ ')' -%}
    case
        when {{ regexp_full_match(trimmed, '-?([0-9]+[.]?[0-9]{0,18}|[.][0-9]{1,18})') }}
            then try_cast({{ trimmed }} as decimal(30, 18))
        when
            {{ regexp_full_match(trimmed, number_pattern()) }}
            and {{ number_text_scale(trimmed) }} <= 18
            then try_cast({{ exact_number_text(trimmed) }} as decimal(30, 18))
    end
{%- endmacro %}


{% macro number_text_scale(text) -%}
    {#-
        For a text matching the number grammar: the number of decimals its exact value needs
        (negative when it is an integer with trailing zeros; 0 for zero). Digits only: the
        fraction's length, less the exponent, less the trailing zeros of the mantissa's digits.
    -#}
    {%- set digits = number_text_digits(text) -%}
    case
        when {{ significant_digits(digits) }} = '' then 0
        else
            length({{ number_text_fraction(text) }})
            - {{ number_text_exponent(text) }}
            - (length({{ digits }}) - length(regexp_replace({{ digits }}, {{ sql_literal('0+$') }}, '')))
    end
{%- endmacro %}


{% macro exact_number_text(text) -%}
    {#-
        For a text matching the number grammar: the same value as plain decimal text, without an
        exponent, leading or trailing zeros (-1e-07 -> -0.0000001, 1.50e3 -> 1500, 0e5 -> 0).
    -#}
    {%- set significant = significant_digits(number_text_digits(text)) -%}
    {%- set scale = number_text_scale(text) -%}
    case
        when {{ significant }} = '' then '0'
        else concat(
            case when {{ text }} like '-%' then '-' else '' end,
            case
                when {{ scale }} <= 0 then concat({{ significant }}, repeat('0', 0 - ({{ scale }})))
                when length({{ significant }}) > {{ scale }}
                    then concat(
                        substr({{ significant }}, 1, length({{ significant }}) - ({{ scale }})),
                        '.',
                        substr({{ significant }}, length({{ significant }}) - ({{ scale }}) + 1)
                    )
                else concat('0.', repeat('0', {{ scale }} - length({{ significant }})), {{ significant }})
            end
        )
    end
{%- endmacro %}


{#- The parts of a number text (helpers of the two macros above). -#}

{% macro number_text_digits(text) -%}
    {#- Every digit of the mantissa, integer part then fraction. -#}
    concat(
        regexp_extract({{ text }}, {{ sql_literal('^-?([0-9]*)') }}, 1),
        {{ number_text_fraction(text) }}
    )
{%- endmacro %}

{% macro number_text_fraction(text) -%}
    {#- The mantissa's digits after the point ('' without one). -#}
    regexp_extract({{ text }}, {{ sql_literal('^-?[0-9]*[.]([0-9]*)') }}, 1)
{%- endmacro %}

{% macro number_text_exponent(text) -%}
    {#- The exponent as an integer (0 without one). -#}
    coalesce(try_cast(nullif(regexp_extract({{ text }}, {{ sql_literal('[eE]([-+]?[0-9]+)$') }}, 1), '') as int), 0)
{%- endmacro %}

{% macro significant_digits(digits) -%}
    {#- The digits without leading and trailing zeros ('' for zero). -#}
    regexp_replace(regexp_replace({{ digits }}, {{ sql_literal('0+$') }}, ''), {{ sql_literal('^0+') }}, '')
{%- endmacro %}
