{#-
    The one place app versions are parsed and compared (rule 1, text: models/_rules__docs.md).

    app_version_sort_key(v) turns a version into a text key whose plain string order is the
    numeric, part-by-part order of versions, or NULL when v does not parse. Each part loses its
    leading zeros and is left-padded to 20 digits; trailing all-zero parts are dropped, so 2.3
    and 2.3.0 get the same key and 2.10.0 sorts after 2.3.0. A part longer than 20 digits does
    not parse.
-#}

{% macro app_version_sort_key(version) %}
    {{ return(adapter.dispatch('app_version_sort_key', 'loco_clips')(version)) }}
{% endmacro %}

{% macro duckdb__app_version_sort_key(version) -%}
    case
        when {{ regexp_full_match(version, 'v?[0-9]+([.][0-9]+)*') }}
            and not regexp_matches(regexp_replace({{ version }}, '(^|[.])0+', '\1', 'g'), '[0-9]{21}')
            then regexp_replace(
                array_to_string(
                    list_transform(
                        string_split(ltrim({{ version }}, 'v'), '.'),
                        lambda part: lpad(coalesce(nullif(ltrim(part, '0'), ''), '0'), 20, '0')
                    ),
                    '.'
                ),
                '([.]0{20})+$',
                ''
            )
    end
{%- endmacro %}

{% macro spark__app_version_sort_key(version) -%}
    {#-
        Spark: the same key. Java regexes: a back-reference is $1 in the replacement, and
        regexp_replace replaces every match (DuckDB needs the 'g' flag for that).
    -#}
    case
        when {{ regexp_full_match(version, 'v?[0-9]+([.][0-9]+)*') }}
            and not regexp_replace({{ version }}, '(^|[.])0+', '$1') rlike '[0-9]{21}'
            then regexp_replace(
                array_join(
                    transform(
                        split(regexp_replace({{ version }}, '^v', ''), '[.]'),
                        part -> lpad(coalesce(nullif(regexp_replace(part, '^0+', ''), ''), '0'), 20, '0')
                    ),
                    '.'
                ),
                '([.]0{20})+$',
                ''
            )
    end
{%- endmacro %}
