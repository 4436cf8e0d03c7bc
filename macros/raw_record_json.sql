{% macro record_fields(event_type) %}
    {#-
        The fields of a parsed record of `event_type`, in the order its source declares them:
        (JSON key, column in the validation models, written as a number in raw_record). Staging
        renames `timestamp` to client_timestamp; int_reactions_validated calls like_time and
        unlike_time action_time. The validation models deduplicate on these columns and rebuild
        raw_record from them. (A constant, not read from the source: unit tests see no sources; where
        the source is in the graph, the two are checked to agree.)
    -#}
    {%- set common = [
        ('event_name', 'event_name', false),
        ('timestamp', 'client_timestamp', true),
        ('server_timestamp', 'server_timestamp', true),
        ('user_uid', 'user_uid', false),
        ('streamer_uid', 'streamer_uid', false),
        ('reel_uid', 'reel_uid', false),
        ('category_uid', 'category_uid', false),
        ('origin_platform', 'origin_platform', false),
        ('app_version', 'app_version', false),
        ('reel_duration', 'reel_duration', true),
    ] -%}
    {%- set own = {
        'reel_watched': [
            ('reel_watch_duration', 'reel_watch_duration', true),
            ('replay_count', 'replay_count', true),
        ],
        'reel_liked': [('like_time', 'action_time', true)],
        'reel_unliked': [('unlike_time', 'action_time', true)],
    } -%}
    {%- set fields = common + own[event_type] -%}
    {#- Checked against the source wherever it is in the graph: same keys, order and numbers. -#}
    {%- if execute and graph.get('sources') -%}
        {%- set declared = [] -%}
        {%- for column in raw_event_columns(event_type) -%}
            {%- do declared.append([column.name, column.data_type != 'string']) -%}
        {%- endfor -%}
        {%- set listed = [] -%}
        {%- for key, column, is_number in fields -%}
            {%- do listed.append([key, is_number]) -%}
        {%- endfor -%}
        {%- if declared != listed -%}
            {{ exceptions.raise_compiler_error(
                "record_fields('" ~ event_type ~ "') lists " ~ tojson(listed) ~ " but source clips."
                ~ event_type ~ " declares " ~ tojson(declared) ~ " ([name, is a number]): make them agree.") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(fields) }}
{% endmacro %}


{% macro raw_record_json(fields) %}
    {{ return(adapter.dispatch('raw_record_json', 'loco_clips')(fields)) }}
{% endmacro %}

{% macro duckdb__raw_record_json(fields) -%}
    {#-
        Rebuild a parsed line as a JSON object from its fields' text: the raw_record of a rejected
        record. fields: a list of (JSON key, column, is_number). A number field whose text is a
        JSON number is written as that text, verbatim (DuckDB's JSON cast would reparse it as a
        double: 1.0000000000000000001 would become 1.0, -0.0000001 -1e-7); another JSON value
        (true, [1]) as that value; anything else as a string. Unknown fields were never read, so
        they are not in it. Built as text, in the layout json_object writes.
    -#}
    concat(
        '{',
        {%- for key, column, is_number in fields %}
        {{ sql_literal(tojson(key) ~ ':') }},
        {%- if is_number %}
        coalesce(
            case
                when {{ regexp_full_match(column, '-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?') }}
                    then {{ column }}
                when json_valid({{ column }}) then cast(cast({{ column }} as json) as varchar)
                else cast(to_json({{ column }}) as varchar)
            end,
            'null'
        ),
        {%- else %}
        coalesce(cast(to_json({{ column }}) as varchar), 'null'),
        {%- endif %}
        {%- if not loop.last %}
        ',',
        {%- endif %}
        {%- endfor %}
        '}'
    )
{%- endmacro %}

{% macro spark__raw_record_json(fields) -%}
    {#-
        Spark (3.5 and 4): the same JSON text, built the same way. A string is quoted and escaped
        by to_json (of a one-element array, whose brackets are cut off); a number field whose
        text is a JSON number is written verbatim, another single JSON value (true, [1]) as that
        value (spark_json_value_text), anything else as a string.
    -#}
    concat(
        '{',
        {%- for key, column, is_number in fields %}
        {{ sql_literal(tojson(key) ~ ':') }},
        {%- if is_number %}
        case
            when {{ regexp_full_match(column, '-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][-+]?[0-9]+)?') }}
                then {{ column }}
            when {{ spark_is_json_value(column) }} then {{ spark_json_value_text(column) }}
            else {{ spark_json_string(column) }}
        end,
        {%- else %}
        {{ spark_json_string(column) }},
        {%- endif %}
        {%- if not loop.last %}
        ',',
        {%- endif %}
        {%- endfor %}
        '}'
    )
{%- endmacro %}
