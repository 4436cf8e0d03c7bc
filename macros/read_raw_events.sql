{#-
    Reading the raw event files. One place for it: the staging models call read_raw_events, and
    int_unparsed_lines_recovered calls read_unparsed_lines. Engine differences are dispatched.
-#}

{% macro raw_event_fields(event_type) %}
    {#- The JSON fields of an event type, in the order its source declares them. -#}
    {%- set fields = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values()
            if node.source_name == 'clips' and node.name == event_type -%}
            {%- for column in node.columns.values() -%}
                {%- do fields.append(column.name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if fields | length == 0 -%}
            {{ exceptions.raise_compiler_error("source clips." ~ event_type ~ " declares no columns") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(fields) }}
{% endmacro %}


{% macro raw_event_folder(event_type) %}
    {{ return(var('raw_path').rstrip('/') ~ '/' ~ event_type) }}
{% endmacro %}


{% macro list_raw_files(event_type) %}
    {{ return(adapter.dispatch('list_raw_files', 'loco_clips')(event_type)) }}
{% endmacro %}

{% macro duckdb__list_raw_files(event_type) %}
    {#- Every *.jsonl, *.jsonl.gz and *.json file below the event type's folder, sorted. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set folder = raw_event_folder(event_type) -%}
    {%- set query -%}
        {%- for pattern in ['*.jsonl', '*.jsonl.gz', '*.json'] %}
        select file from glob({{ dbt.string_literal(folder ~ '/**/' ~ pattern) }})
        {%- if not loop.last %} union all{% endif -%}
        {%- endfor %}
        order by file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}


{% macro require_input_files() %}
    {#- Stop with a clear message when raw_path holds no event files at all. -#}
    {%- if execute -%}
        {%- set found = [] -%}
        {%- for event_type in ['reel_watched', 'reel_liked', 'reel_unliked'] -%}
            {%- do found.extend(list_raw_files(event_type)) -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "No input files: raw_path '" ~ var('raw_path') ~ "' has no *.jsonl, *.jsonl.gz or "
                ~ "*.json file under reel_watched/, reel_liked/ or reel_unliked/.") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro sql_string_list(values) -%}
    [{% for value in values %}{{ dbt.string_literal(value) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}


{% macro read_raw_events(source_relation) %}
    {{ return(adapter.dispatch('read_raw_events', 'loco_clips')(source_relation)) }}
{% endmacro %}

{% macro duckdb__read_raw_events(source_relation) %}
    {#-
        One row per non-blank line of every file of the source's event type: source_file, then
        every declared field as text. A line that is not a JSON object comes back with every field
        NULL (ignore_errors), so no line is dropped here.
    -#}
    {%- set event_type = source_relation.identifier -%}
    {%- set fields = raw_event_fields(event_type) -%}
    {%- set files = list_raw_files(event_type) -%}
    {%- if files | length == 0 -%}
        {%- do require_input_files() -%}
        {%- if execute -%}
            {%- do log("No input files for " ~ event_type ~ " under " ~ var('raw_path'), info=true) -%}
        {%- endif -%}
        select
            cast(null as varchar) as source_file,
            {%- for field in fields %}
            cast(null as varchar) as {{ adapter.quote(field) }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        where false
    {%- else -%}
        select
            filename as source_file,
            {%- for field in fields %}
            {{ adapter.quote(field) }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from read_json(
            {{ sql_string_list(files) }},
            format = 'newline_delimited',
            ignore_errors = true,
            hive_partitioning = false,
            filename = true,
            maximum_object_size = 67108864,
            columns = {
                {%- for field in fields %}
                {{ dbt.string_literal(field) }}: 'varchar'{% if not loop.last %},{% endif %}
                {%- endfor %}
            }
        )
    {%- endif -%}
{% endmacro %}


{% macro read_unparsed_lines(staging_relation, event_type) %}
    {{ return(adapter.dispatch('read_unparsed_lines', 'loco_clips')(staging_relation, event_type)) }}
{% endmacro %}

{% macro duckdb__read_unparsed_lines(staging_relation, event_type) %}
    {#-
        The lines the JSON reader could not turn into fields, read again as text, with why:
        malformed_json, not_a_json_object, or missing_user_uid for an object with none of the
        known fields. Only the files that have such lines are re-read.
    -#}
    {%- set fields = raw_event_fields(event_type) -%}
    {%- set files = [] -%}
    {#- Compiling before the staging table exists (dbt compile, the SQL linter): nothing to re-read. -#}
    {%- if execute and adapter.get_relation(
            staging_relation.database, staging_relation.schema, staging_relation.identifier) -%}
        {%- set query -%}
            select distinct source_file from {{ staging_relation }} where is_unparsed order by 1
        {%- endset -%}
        {%- set files = run_query(query).columns[0].values() | list -%}
    {%- endif -%}
    {%- if files | length == 0 -%}
        select
            cast(null as varchar) as event_type,
            cast(null as varchar) as source_file,
            cast(null as varchar) as raw_record,
            cast(null as varchar) as reason_code
        where false
    {%- else -%}
        select
            {{ dbt.string_literal(event_type) }} as event_type,
            filename as source_file,
            line as raw_record,
            case
                when not json_valid(line) then 'malformed_json'
                when json_type(line) <> 'OBJECT' then 'not_a_json_object'
                else 'missing_user_uid'
            end as reason_code
        from read_csv(
            {{ sql_string_list(files) }},
            columns = {'line': 'varchar'},
            delim = e'\x01\x02\x03\x04',
            quote = '',
            escape = '',
            header = false,
            auto_detect = false,
            strict_mode = false,
            max_line_size = 67108864,
            filename = true
        )
        where
            not regexp_full_match(line, '\s*')
            and (
                not json_valid(line)
                or json_type(line) <> 'OBJECT'
                or coalesce(
                    {%- for field in fields %}
                    line ->> {{ dbt.string_literal('$.' ~ field) }}{% if not loop.last %},{% endif %}
                    {%- endfor %}
                ) is null
            )
    {%- endif -%}
{% endmacro %}
