{#-
    Turning the text of a JSON value into a number. A JSON number and a JSON string holding the
    same digits are the same value. Anything else (a word, a boolean, an empty string, a value
    out of range) gives NULL, which the validation models turn into a reason code.
-#}

{% macro parse_integer(text) -%}
    {#- An integer written without a fraction or exponent: 1764070631000, "3". 1.5 and 1.0 are not. -#}
    case
        when {{ regexp_full_match('trim(' ~ text ~ ')', '-?[0-9]+') }}
            then try_cast(trim({{ text }}) as bigint)
    end
{%- endmacro %}


{% macro parse_decimal(text) -%}
    {#- An exact decimal, kept to the microsecond: decimal(18, 6). -#}
    case
        when {{ regexp_full_match('trim(' ~ text ~ ')', '-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?') }}
            then try_cast(trim({{ text }}) as decimal(18, 6))
    end
{%- endmacro %}
