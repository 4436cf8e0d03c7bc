{#-
    Reading the raw event files. One place for it: the staging models call read_raw_events, and
    int_unparsed_lines_recovered calls read_unparsed_lines. Engine differences are dispatched.
-#}

{% macro raw_event_columns(event_type) %}
    {#- The columns (name, data_type, ...) the source declares for an event type, in its order. -#}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values()
            if node.source_name == 'clips' and node.name == event_type -%}
            {%- do columns.extend(node.columns.values()) -%}
        {%- endfor -%}
        {%- if columns | length == 0 -%}
            {{ exceptions.raise_compiler_error("source clips." ~ event_type ~ " declares no columns") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(columns) }}
{% endmacro %}


{% macro raw_event_fields(event_type) %}
    {#- The JSON fields of an event type, in the order its source declares them. -#}
    {{ return(raw_event_columns(event_type) | map(attribute='name') | list) }}
{% endmacro %}


{% macro staged_fields(event_type) -%}
    {#-
        Staging's columns of the fields the source declares, in its order, each followed by a
        comma: the field as read, `timestamp` renamed client_timestamp (the name record_fields
        gives it in the validation models).
    -#}
    {%- for field in raw_event_fields(event_type) %}
        {{ adapter.quote(field) }} as {{ 'client_timestamp' if field == 'timestamp' else field }},
    {%- endfor %}
{%- endmacro %}


{% macro no_field_parsed(event_type) -%}
    {#- True for a line whose every declared field came back NULL from the reader (is_unparsed). -#}
    coalesce(
        {%- for field in raw_event_fields(event_type) %}
        {{ adapter.quote(field) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) is null
{%- endmacro %}


{% macro event_types() %}
    {#- The three event types, each a folder under raw_path and a source of its own. -#}
    {{ return(['reel_watched', 'reel_liked', 'reel_unliked']) }}
{% endmacro %}


{% macro raw_event_folder(event_type) %}
    {{ return(var('raw_path').rstrip('/') ~ '/' ~ event_type) }}
{% endmacro %}


{% macro list_raw_files(event_type) %}
    {{ return(adapter.dispatch('list_raw_files', 'loco_clips')(event_type)) }}
{% endmacro %}

{% macro duckdb__list_raw_files(event_type) %}
    {#-
        Every *.jsonl, *.jsonl.gz and *.json file below the event type's folder, sorted by path:
        a list of [path, size in bytes, modification time in epoch ms] (sizes and times are what
        incremental runs compare to tell new or changed files). Listed by the plugin's
        list_event_files, literally: a file name is never read as a pattern. A path DuckDB's
        readers cannot name exactly (duckdb_literal_path) stops the run here, at its start.
    -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select file.path, file.size, file.modified_ms
        from (select unnest(list_event_files({{ sql_literal(raw_event_folder(event_type)) }})) as file)
    {%- endset -%}
    {%- set files = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do duckdb_literal_path(row[0], 'raw file name') -%}
        {%- do files.append([row[0], row[1] | int, row[2] | int]) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{% macro files_to_load(event_type) %}
    {#-
        The files a staging model reads in this run: all of them on a full refresh; on an
        incremental run only those it has not loaded yet (the ones it has are unchanged:
        check_loaded_files_unchanged refused the run otherwise).
    -#}
    {%- set files = list_raw_files(event_type) -%}
    {%- if execute and is_incremental() -%}
        {%- set loaded = {} -%}
        {%- for row in run_query('select distinct source_file from ' ~ this).rows -%}
            {%- do loaded.update({row[0]: true}) -%}
        {%- endfor -%}
        {%- set new_files = [] -%}
        {%- for file in files if file[0] not in loaded -%}
            {%- do new_files.append(file) -%}
        {%- endfor -%}
        {%- do log(event_type ~ ": " ~ new_files | length ~ " new of " ~ files | length ~ " files",
            info=true) -%}
        {{ return(new_files) }}
    {%- endif -%}
    {{ return(files) }}
{% endmacro %}


{% macro require_input_files() %}
    {#- Stop with a clear message when raw_path holds no event files at all. -#}
    {%- if execute -%}
        {%- set found = [] -%}
        {%- for event_type in event_types() -%}
            {%- do found.extend(list_raw_files(event_type)) -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "No input files: raw_path " ~ tojson(var('raw_path')) ~ " has no *.jsonl, *.jsonl.gz or "
                ~ "*.json file under reel_watched/, reel_liked/ or reel_unliked/ (names starting with . or _ "
                ~ "are skipped, as Spark skips them).") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro duckdb_literal_path_list(paths) -%}
    {#- A DuckDB list of file paths, each one naming exactly one file (duckdb_literal_path). -#}
    [{% for path in paths %}{{ duckdb_literal_path(path) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}


{% macro read_raw_events(source_relation) %}
    {{ return(adapter.dispatch('read_raw_events', 'loco_clips')(source_relation)) }}
{% endmacro %}

{% macro duckdb__read_raw_events(source_relation) %}
    {#-
        One row per non-blank line of the files to load (see files_to_load): the file, its size
        and modification time, this run's load_id, then every declared field as text. A line
        that is not a JSON object by RFC 8259 (duckdb__breaks_strict_json), or whose user_uid or
        reel_uid is there but not a JSON string, comes back with every field NULL, so no line is
        dropped here and int_unparsed_lines_recovered says why. For such a line that the JSON
        reader did parse, unparsed_json keeps the text it returned (the line without its white
        space): int_unparsed_lines_recovered finds the line again by it, without parsing every
        line of the file a second time.

        read_ndjson_objects hands over each parsed line's own text (the strictness check needs
        it); json_extract_string then reads every field in one parse of it, with the same values
        read_json would give (numbers as its double's text, other JSON values as JSON text).
    -#}
    {%- set event_type = source_relation.identifier -%}
    {%- set fields = raw_event_fields(event_type) -%}
    {%- set files = files_to_load(event_type) -%}
    {%- if files | length == 0 -%}
        {{ no_raw_events(event_type, fields) }}
    {%- else -%}
        select
            raw_lines.filename as source_file,
            cast(files.file_size as bigint) as source_file_size,
            cast(files.file_modified_ms as bigint) as source_file_modified_ms,
            {{ sql_literal(invocation_id) }} as load_id,
            {%- for field in fields %}
            raw_lines.field_texts[{{ loop.index }}] as {{ adapter.quote(field) }},
            {%- endfor %}
            case
                when coalesce(
                    {%- for field in fields %}
                    raw_lines.field_texts[{{ loop.index }}]{% if not loop.last %},{% endif %}
                    {%- endfor %}
                ) is null
                    then cast(raw_lines.json as varchar)
            end as unparsed_json
        from (
            select
                filename,
                json,
                case
                    when not (
                        {{ duckdb__breaks_strict_json('json') }}
                        or {{ duckdb__has_non_string_id('json') }}
                    )
                        then json_extract_string(json, [
                            {%- for field in fields %}
                            {{ sql_literal('$.' ~ field) }}{% if not loop.last %},{% endif %}
                            {%- endfor %}
                        ])
                end as field_texts
            from read_ndjson_objects(
                {{ duckdb_literal_path_list(files | map(attribute=0) | list) }},
                ignore_errors = true,
                hive_partitioning = false,
                filename = true,
                maximum_object_size = 67108864
            )
        ) as raw_lines
        inner join (
            values
            {%- for file in files %}
            ({{ sql_literal(file[0]) }}, {{ file[1] }}, {{ file[2] }}){% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as files (file_path, file_size, file_modified_ms)
            on raw_lines.filename = files.file_path
    {%- endif -%}
{% endmacro %}


{% macro duckdb__breaks_strict_json(text) -%}
    {#-
        Whether a JSON text DuckDB's parser accepted is outside RFC 8259: what that parser allows
        beyond it is a trailing comma ({"a": 1,}, [1,]) and NaN or Inf/Infinity in any case, with
        or without a minus. Outside strings JSON has no comma before a closing bracket, and no
        value starting with "na" or "i" (null starts "nu"), so the text is checked with its
        strings replaced by 0; a cheap scan of the whole text first (duckdb__may_break_rfc), so
        only the few lines that may break it pay for the replacing (a CASE, so that DuckDB cannot
        reorder the two: as an AND it ran the replacing on every line, 2.5x slower staging).
    -#}
    case
        when {{ duckdb__may_break_rfc(text) }}
            then {{ duckdb__may_break_rfc("regexp_replace(" ~ text ~ ", '\"(?:[^\"\\\\]|\\\\.)*\"', '0', 'g')") }}
        else false
    end
{%- endmacro %}


{% macro duckdb__may_break_rfc(text) -%}
    {#-
        A comma before a closing bracket, or a value (at the start, after ':', '[' or ',')
        starting with "na" or "i" in any case. One pattern per punctuation mark, each a literal
        RE2 finds fast: twice as fast as one case-insensitive pattern (measured).
    -#}
    {%- set space = '[ \\t\\r\\n]*' -%}
    {%- set not_a_number = '-?([Nn][Aa]|[Ii])' -%}
    (
        regexp_matches({{ text }}, {{ sql_literal(',' ~ space ~ '([]}]|' ~ not_a_number ~ ')') }})
        or regexp_matches({{ text }}, {{ sql_literal(':' ~ space ~ not_a_number) }})
        or regexp_matches({{ text }}, {{ sql_literal('\\[' ~ space ~ not_a_number) }})
        or regexp_matches({{ text }}, {{ sql_literal('^' ~ space ~ not_a_number) }})
    )
{%- endmacro %}


{% macro duckdb__has_non_string_id(text) -%}
    {#-
        Whether the JSON object `text` has a user_uid or reel_uid that is there, not null and not
        a JSON string (an object, array, number or boolean is never taken for an id).
    -#}
    len(list_filter(
        json_type({{ text }}, ['$.user_uid', '$.reel_uid']),
        lambda kind: kind not in ('VARCHAR', 'NULL')
    )) > 0
{%- endmacro %}


{% macro read_unparsed_lines(staging_relation, event_type) %}
    {{ return(adapter.dispatch('read_unparsed_lines', 'loco_clips')(staging_relation, event_type)) }}
{% endmacro %}

{% macro duckdb__read_unparsed_lines(staging_relation, event_type) %}
    {#-
        The lines the JSON reader could not turn into fields, read again as text, with why:
        malformed_json (also for a text outside RFC 8259), not_a_json_object, missing_user_uid
        for an object with none of the known fields, or, for an id there but not a JSON string,
        the first of missing_user_uid, invalid_user_uid, missing_reel_uid, invalid_reel_uid that
        holds (the order the validation models check the ids in). Only the files that have such
        lines are read again, each once, and on an incremental run only those it has not read yet.

        The plugin's recover_text_lines reads a file's byte-exact lines (LF or CRLF ended) and
        returns the ones staging left empty: each line that is not valid UTF-8 (invalid_utf8) or
        not '{...}' inside white space, or whose text is one staging kept in unparsed_json.
        When those are as many as staging's empty rows of the file, they are the ones. Otherwise
        (a malformed line that looks like an object) it returns every line, and the WHERE below
        picks them the way the JSON reader reads: trimmed of white space (which for it includes
        form feeds and vertical tabs), then parsed. No SQL depends on what the files hold.
    -#}
    {%- set fields = raw_event_fields(event_type) -%}
    {%- set space = duckdb__json_reader_space() -%}
    select
        {{ sql_literal(event_type) }} as event_type,
        text_lines.source_file,
        cast(text_lines.load_id as varchar) as load_id,
        text_lines.line as raw_record,
        case
            when not text_lines.is_utf8 then 'invalid_utf8'
            when
                not json_valid(text_lines.json_text)
                or {{ duckdb__breaks_strict_json('text_lines.json_text') }}
                then 'malformed_json'
            when json_type(text_lines.json_text) <> 'OBJECT' then 'not_a_json_object'
            {%- for id in ['user_uid', 'reel_uid'] %}
            {%- set path = sql_literal('$.' ~ id) %}
            when coalesce(trim(text_lines.json_text ->> {{ path }}) = '', true)
                then {{ sql_literal('missing_' ~ id) }}
            when json_type(text_lines.json_text, {{ path }}) <> 'VARCHAR'
                then {{ sql_literal('invalid_' ~ id) }}
            {%- endfor %}
            else 'missing_user_uid'
        end as reason_code
    from (
        select
            source_file,
            load_id,
            text_line.line,
            text_line.is_utf8,
            trim(text_line.line, {{ space }}) as json_text
        from (
            select
                source_file,
                load_id,
                unnest(recover_text_lines(source_file, unparsed_rows, parsed_texts)) as text_line
            from (
                select
                    source_file,
                    any_value(load_id) as load_id,
                    count(*) as unparsed_rows,
                    coalesce(list(unparsed_json) filter (where unparsed_json is not null), [])
                        as parsed_texts
                {{ unparsed_rows_to_recover(staging_relation) }}
                group by source_file
            ) as unparsed_files
        ) as returned_lines
    ) as text_lines
    where
        not text_lines.is_utf8
        or not json_valid(text_lines.json_text)
        or json_type(text_lines.json_text) <> 'OBJECT'
        or {{ duckdb__breaks_strict_json('text_lines.json_text') }}
        or {{ duckdb__has_non_string_id('text_lines.json_text') }}
        or coalesce(
            {%- for field in fields %}
            text_lines.json_text ->> {{ sql_literal('$.' ~ field) }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) is null
{% endmacro %}


{% macro unparsed_rows_to_recover(staging_relation) -%}
    {#-
        The FROM and WHERE of the staging rows whose lines int_unparsed_lines_recovered reads
        again: the unparsed ones, on an incremental run only of the files it has not read yet.
        Both engines.
    -#}
    from {{ staging_relation }}
    where
        is_unparsed and {{ not_yet_read() }}
{%- endmacro %}


{% macro duckdb__json_reader_space() -%}
    {#- The characters DuckDB's JSON reader skips around a line: space, \t, \n, \v, \f, \r. -#}
    chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
{%- endmacro %}


{% macro no_raw_events(event_type, fields) -%}
    {#-
        What a staging model reads when there is nothing to load: no rows, the usual columns. On a
        full build with no event file at all under raw_path, stop with a clear error instead.
    -#}
    {%- if execute and not is_incremental() -%}
        {%- do log("No input files for " ~ event_type ~ " under " ~ var('raw_path'), info=true) -%}
    {%- endif -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as source_file_size,
        cast(null as bigint) as source_file_modified_ms,
        cast(null as {{ dbt.type_string() }}) as load_id,
        {%- for field in fields %}
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote(field) }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as unparsed_json
    where false
{%- endmacro %}
