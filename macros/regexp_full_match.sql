{% macro regexp_full_match(text, pattern) %}
    {#-
        True when the whole of text matches the regular expression pattern (NULL for NULL text).
        pattern is plain regex text, without quotes; write classes like [0-9] and [.] rather than
        backslash escapes, which the engines' string literals treat differently.
    -#}
    {{ return(adapter.dispatch('regexp_full_match', 'loco_clips')(text, pattern)) }}
{% endmacro %}

{% macro duckdb__regexp_full_match(text, pattern) -%}
    regexp_full_match({{ text }}, {{ sql_literal(pattern) }})
{%- endmacro %}

{% macro spark__regexp_full_match(text, pattern) -%}
    {#- Anchored with \z, not $: a Java $ also matches before a final line break. -#}
    ({{ text }} rlike {{ sql_literal('^(?:' ~ pattern ~ ')\\z') }})
{%- endmacro %}
