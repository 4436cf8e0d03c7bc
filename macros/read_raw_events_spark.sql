{#-
    Reading the raw event files on Spark: the spark__ side of list_raw_files, read_raw_events and
    read_unparsed_lines (read_raw_events.sql holds the dispatchers and the DuckDB side). The
    columns and the rules are the same; what differs is how Spark gets at the files:

    - Files are read as text (one row per line) through temporary views with options (a
      recursive listing filtered to *.jsonl, *.jsonl.gz and *.json), and each line is parsed with
      from_json against an all-string schema. A line that is not a JSON object comes back with
      every field NULL, as DuckDB's read_json(ignore_errors) does, so no line is dropped here.
    - Spark reports file paths as URLs (file:///a%20b/x.jsonl); source_file is turned back into
      a plain path, so it equals DuckDB's when raw_path is absolute.
    - A missing event-type folder is an error on Spark (PATH_NOT_FOUND); an empty one is fine.
-#}

{% macro spark__list_raw_files(event_type) %}
    {#- [path, size in bytes, modification time in epoch ms] of every event file, sorted by path. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set listing = spark_raw_files_view(event_type, 'binaryFile') -%}
    {%- set query -%}
        select
            regexp_replace(path, '^file:(//)?', '') as file_path,
            length as file_size,
            unix_millis(modificationTime) as file_modified_ms
        from {{ listing }}
        order by file_path
    {%- endset -%}
    {%- set files = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do files.append([row[0], row[1] | int, row[2] | int]) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{% macro spark__read_raw_events(source_relation) %}
    {#- Same rows and columns as duckdb__read_raw_events (see files_to_load). -#}
    {%- set event_type = source_relation.identifier -%}
    {%- set fields = raw_event_fields(event_type) -%}
    {%- set files = files_to_load(event_type) -%}
    {%- if files | length == 0 -%}
        {{ no_raw_events(event_type, fields) }}
    {%- else -%}
        {#-
            The folder is read whole and the join keeps the files to load: all of them on Spark,
            where staging rebuilds in full (dbt_project.yml).
        -#}
        {%- set text_view = spark_raw_files_view(event_type, 'text') -%}
        select
            raw_lines.source_file,
            cast(files.file_size as bigint) as source_file_size,
            cast(files.file_modified_ms as bigint) as source_file_modified_ms,
            {{ sql_literal(invocation_id) }} as load_id,
            {%- for field in fields %}
            raw_lines.parsed.{{ adapter.quote(field) }} as {{ adapter.quote(field) }},
            {%- endfor %}
            {#- DuckDB's recovery reads it; Spark's reads every line of the files again. #}
            cast(null as string) as unparsed_json
        from (
            select
                source_file,
                {{ spark_parse_event_line('json_text', 'parsed_values', 'is_utf8') }} as parsed
            from (
                select
                    *,
                    {{ spark_parse_raw_line('json_text', fields) }} as parsed_values
                from {{ spark_text_lines(text_view) }}
            )
        ) as raw_lines
        inner join (
            values
            {%- for file in files %}
            ({{ sql_literal(file[0]) }}, {{ file[1] }}, {{ file[2] }}){% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as files (file_path, file_size, file_modified_ms)
            on raw_lines.source_file = files.file_path
    {%- endif -%}
{% endmacro %}


{% macro spark__read_unparsed_lines(staging_relation, event_type) %}
    {#-
        Same rows as duckdb__read_unparsed_lines: the lines whose fields all came back NULL, read
        again as text from the files that have them, with why. The same from_json call decides
        which lines those are, so the two reads agree line for line; the reason comes from
        spark_is_json_value (is it one JSON value at all) and json_object_keys (is it an
        object). Spark 3.5 and 4 alike: no variant type, no try_parse_json.
    -#}
    {%- set fields = raw_event_fields(event_type) -%}
    {%- set files = files_to_recover(staging_relation) -%}
    {%- if files | length == 0 -%}
        {{ no_recovered_lines() }}
    {%- else -%}
        {%- set text_view = spark_text_view_of_files(event_type, files | map(attribute=0) | list) -%}
        select
            {{ sql_literal(event_type) }} as event_type,
            text_lines.source_file,
            cast(files.load_id as string) as load_id,
            text_lines.line as raw_record,
            case
                when not text_lines.is_utf8 then 'invalid_utf8'
                when not {{ spark_is_json_value('text_lines.json_text') }} then 'malformed_json'
                when json_object_keys(text_lines.json_text) is null then 'not_a_json_object'
                {%- for id in ['user_uid', 'reel_uid'] %}
                {%- set id_text = 'text_lines.parsed_values[0].' ~ adapter.quote(id) %}
                when coalesce(trim({{ id_text }}) = '', true) then {{ sql_literal('missing_' ~ id) }}
                when {{ spark_is_non_string_id('text_lines.json_text', id, id_text) }}
                    then {{ sql_literal('invalid_' ~ id) }}
                {%- endfor %}
                else 'missing_user_uid'
            end as reason_code
        from (
            select
                *,
                {{ spark_parse_event_line('json_text', 'parsed_values', 'is_utf8') }} as parsed
            from (
                select
                    *,
                    {{ spark_parse_raw_line('json_text', fields) }} as parsed_values
                from {{ spark_text_lines(text_view) }}
            )
        ) as text_lines
        inner join (
            values
            {%- for file in files %}
            ({{ sql_literal(file[0]) }}, {{ sql_literal(file[1]) }}){% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as files (file_path, load_id)
            on text_lines.source_file = files.file_path
        where
            coalesce(
                {%- for field in fields %}
                text_lines.parsed.{{ adapter.quote(field) }}{% if not loop.last %},{% endif %}
                {%- endfor %}
            ) is null
    {%- endif -%}
{% endmacro %}


{#- Helpers of the macros above (Spark only). -#}

{% macro files_to_recover(staging_relation) %}
    {#-
        The files whose unparsed lines int_unparsed_lines_recovered reads again: rows of
        (source_file, load_id, number of unparsed rows), only files loaded since the last recovery
        on an incremental run. None while compiling before the staging table exists (dbt compile,
        the SQL linter).
    -#}
    {%- if not (execute and adapter.get_relation(
            staging_relation.database, staging_relation.schema, staging_relation.identifier)) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select source_file, any_value(load_id), count(*)
        {{ unparsed_rows_to_recover(staging_relation) }}
        group by source_file
        order by source_file
    {%- endset -%}
    {{ return(run_query(query).rows | list) }}
{% endmacro %}


{% macro no_recovered_lines() -%}
    {#- The empty result of read_unparsed_lines, with its columns and types. -#}
    select
        {%- for column in ['event_type', 'source_file', 'load_id', 'raw_record', 'reason_code'] %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    where false
{%- endmacro %}


{% macro spark_parse_raw_line(line, fields) -%}
    {#-
        The line parsed as the one element of a JSON array of objects of string fields (numbers
        keep their text, as DuckDB renders it: 12.50 -> 12.5), strict as RFC 8259
        (spark_json_options). from_json reads only the first value of a text and ignores what
        follows it; inside '[' and ']' a line that is not exactly one value either fails to
        parse or gives an array of more than one element (spark_parse_event_line checks which).
    -#}
    from_json(
        concat('[', {{ line }}, ']'),
        'array<struct<
        {%- for field in fields -%}
        {{ '`' ~ field ~ '`: string' }}{% if not loop.last %}, {% endif %}
        {%- endfor -%}>>',
        {{ spark_json_options() }}
    )
{%- endmacro %}


{% macro spark_parse_event_line(line, parsed_values, is_utf8) -%}
    {#-
        The fields of the line (parsed_values: spark_parse_raw_line of it), or NULL, as in
        duckdb__read_raw_events, for a line that is not valid UTF-8, not exactly one JSON value,
        or has a user_uid or reel_uid that is there but not a JSON string. One value inside the
        brackets is one value of the line unless the line holds a ']' of its own, which could
        close the brackets early ('{}] x'): only such a line is checked again, in full.
    -#}
    case
        when
            {{ is_utf8 }}
            and size({{ parsed_values }}) = 1
            and (instr({{ line }}, ']') = 0 or {{ spark_is_json_value(line) }})
            {%- for id in ['user_uid', 'reel_uid'] %}
            and not {{ spark_is_non_string_id(line, id, parsed_values ~ '[0].' ~ adapter.quote(id)) }}
            {%- endfor %}
            then {{ parsed_values }}[0]
    end
{%- endmacro %}


{% macro spark_text_lines(text_view) -%}
    {#-
        The non-blank lines of a text view (split at LF only: spark_text_line_options), as the
        DuckDB side reads them: source_file; line, without the CR of a CRLF ending (any other CR
        stays in it); json_text, the line trimmed of the white space DuckDB's JSON reader skips
        around a line (space, tab, vertical tab, form feed, CR); and is_utf8. The text source
        keeps a line's bytes as they are, and any string function writes a bad sequence as
        U+FFFD, so is_utf8 compares the bytes with their re-encoding before anything else; the
        line of one that is not valid UTF-8 shows each bad byte as \xNN (spark_utf8_or_escaped).
    -#}
    (
        select
            {{ spark_line_source_file() }} as source_file,
            case
                when cast(value as binary) = encode(value, 'UTF-8')
                    then regexp_replace(value, '\\r\\z', '')
                else {{ spark_utf8_or_escaped("regexp_replace(hex(cast(value as binary)), '0D$', '')") }}
            end as line,
            regexp_replace(value, '^\\s+|\\s+\\z', '') as json_text,
            cast(value as binary) = encode(value, 'UTF-8') as is_utf8
        from {{ text_view }}
        where {{ spark_is_non_blank('value') }}
    )
{%- endmacro %}


{% macro spark_is_non_string_id(line, id, id_text) -%}
    {#-
        Whether the JSON object line's field `id` is there, not null and not a JSON string.
        id_text is the field as from_json reads it into a string: a string's own text, any other
        value as JSON text (true, 12, {"a":1}, [1]). Only a text that could be such JSON text is
        parsed again, once per kind of value; from_json reads a boolean, a number, an object or
        an array only from that kind of value, never from a string (strict options: no NaN).
    -#}
    coalesce(
        {{ id_text }} rlike '(?s)^(true|false|-?[0-9].*|[{\\[].*)$'
        and (
            {%- for kind in ['boolean', 'double', 'map<string, string>', 'array<string>'] %}
            from_json({{ line }}, {{ sql_literal('`' ~ id ~ '` ' ~ kind) }}, {{ spark_json_options() }}).{{ adapter.quote(id) }} is not null
            {%- if not loop.last %} or{% endif %}
            {%- endfor %}
        ),
        false
    )
{%- endmacro %}


{% macro spark_json_options() -%}
    {#-
        from_json options as strict as RFC 8259, stated even where they are Spark's defaults:
        no single quotes, NaN or Infinity, comments, unquoted names, leading zeros, raw control
        characters in strings, or backslash before any character.
    -#}
    map(
        'allowSingleQuotes', 'false',
        'allowNonNumericNumbers', 'false',
        'allowComments', 'false',
        'allowUnquotedFieldNames', 'false',
        'allowNumericLeadingZeros', 'false',
        'allowUnquotedControlChars', 'false',
        'allowBackslashEscapingAnyCharacter', 'false'
    )
{%- endmacro %}


{% macro spark_is_json_value(text) -%}
    {#-
        True when text (NULL: false) is exactly one JSON value inside JSON white space, strict
        (spark_json_options). from_json ignores text after the first value, so text is parsed
        twice, as the one element of an array and as the value of an object: text that ends
        the value early to hide what follows (`1], [2`) cannot close both a ']' and a '}'.
        Spark 3.1 and later (no variant type).
    -#}
    coalesce(
        size(from_json(concat('[', {{ text }}, ']'), 'array<string>', {{ spark_json_options() }})) = 1
        and from_json(concat('{"v":', {{ text }}, '}'), 'map<string,string>', {{ spark_json_options() }}) is not null,
        false
    )
{%- endmacro %}


{% macro spark_json_value_text(text) -%}
    {#-
        The JSON value text holds (spark_is_json_value must be true), written compactly: a
        string quoted again, anything else as get_json_object renders it ('null' for null).
    -#}
    case
        when {{ text }} rlike '^[ \\t\\n\\r]*"' then {{ spark_json_string("get_json_object(" ~ text ~ ", '$')") }}
        else get_json_object({{ text }}, '$')
    end
{%- endmacro %}


{% macro spark_json_string(text) -%}
    {#- text as a JSON string ('null' for NULL), escaped by to_json as Jackson escapes it. -#}
    regexp_extract(to_json(array({{ text }})), '(?s)^\\[(.*)\\]$', 1)
{%- endmacro %}


{% macro spark_utf8_or_escaped(hex_bytes) -%}
    {#-
        Bytes (as hex digits) that are not all valid UTF-8, as text the way the DuckDB side
        writes them: each valid UTF-8 sequence as its character, every other byte as \xNN.
        The bytes are split, left to right, into valid sequences (RFC 3629: no overlong forms,
        no surrogates, nothing past U+10FFFF) or else single bytes.
    -#}
    {%- set tail = '[89AB][0-9A-F]' -%}
    {%- set sequences = [
        '[0-7][0-9A-F]',
        '(C[2-9A-F]|D[0-9A-F])' ~ tail,
        'E0[AB][0-9A-F]' ~ tail,
        '(E[1-9A-CEF])' ~ tail ~ tail,
        'ED[89][0-9A-F]' ~ tail,
        'F0[9AB][0-9A-F]' ~ tail ~ tail,
        'F[1-3]' ~ tail ~ tail ~ tail,
        'F48[0-9A-F]' ~ tail ~ tail,
        '[0-9A-F]{2}',
    ] -%}
    array_join(
        transform(
            regexp_extract_all({{ hex_bytes }}, {{ sql_literal('(' ~ sequences | join('|') ~ ')') }}, 1),
            piece -> case
                when length(piece) = 2 and piece >= '80' then concat('\\x', lower(piece))
                else decode(unhex(piece), 'UTF-8')
            end
        ),
        ''
    )
{%- endmacro %}


{% macro spark_text_line_options() -%}
    {#-
        A line ends at LF, as on DuckDB: Spark's text source would also end one at a lone CR
        (a file with CR-only endings is one line; spark_line_text drops a CRLF's CR).
    -#}
    lineSep '\n'
{%- endmacro %}


{% macro spark_is_non_blank(line) -%}
    ({{ line }} rlike '\\S')
{%- endmacro %}


{% macro spark_line_source_file() -%}
    {#- input_file_name() is a URL; '+' is kept as it is (url_decode would make it a space). -#}
    url_decode(replace(regexp_replace(input_file_name(), '^file:(//)?', ''), '+', '%2B'))
{%- endmacro %}


{% macro spark_raw_files_view(event_type, file_format) %}
    {#-
        A temporary view of every *.jsonl, *.jsonl.gz and *.json file at any depth below the
        event type's folder, in file_format (text: one row per line; binaryFile: the listing).
        Returns the view's name. Partition folders (dt=...) add no column: the lookup is recursive.
        A text line ends at LF only (spark_text_line_options).
    -#}
    {%- set view = 'loco_clips_' ~ event_type ~ '_' ~ file_format | lower -%}
    {%- set statement -%}
        create or replace temporary view {{ view }}
        using {{ file_format }}
        options (
            path {{ sql_literal(spark_glob_escape(raw_event_folder(event_type))) }},
            recursiveFileLookup 'true',
            {%- if file_format == 'text' %}
            {{ spark_text_line_options() }},
            {%- endif %}
            pathGlobFilter '*.{jsonl,jsonl.gz,json}'
        )
    {%- endset -%}
    {%- if execute -%}{%- do run_query(statement) -%}{%- endif -%}
    {{ return(view) }}
{% endmacro %}


{% macro spark_text_view_of_files(event_type, paths) %}
    {#-
        A temporary text view of exactly these files (absolute paths): one Hadoop glob,
        <common folder>/{relative path,relative path,...}, with glob characters escaped.
    -#}
    {%- set ns = namespace(prefix=paths[0].rsplit('/', 1)[0] ~ '/') -%}
    {%- for path in paths -%}
        {%- for _ in range(ns.prefix.count('/')) -%}
            {%- if not path.startswith(ns.prefix) -%}
                {%- set ns.prefix = ns.prefix[:-1].rsplit('/', 1)[0] ~ '/' -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set relative_paths = [] -%}
    {%- for path in paths -%}
        {%- do relative_paths.append(spark_glob_escape(path[ns.prefix | length:])) -%}
    {%- endfor -%}
    {%- set view = 'loco_clips_' ~ event_type ~ '_text_subset' -%}
    {%- set statement -%}
        create or replace temporary view {{ view }}
        using text
        options (
            {{ spark_text_line_options() }},
            path {{ sql_literal(spark_glob_escape(ns.prefix) ~ '{' ~ relative_paths | join(',') ~ '}') }}
        )
    {%- endset -%}
    {%- if execute -%}{%- do run_query(statement) -%}{%- endif -%}
    {{ return(view) }}
{% endmacro %}


{% macro spark_glob_escape(path) %}
    {%- set ns = namespace(escaped=path | replace('\\', '\\\\')) -%}
    {%- for character in ['{', '}', '[', ']', '*', '?', ','] -%}
        {%- set ns.escaped = ns.escaped | replace(character, '\\' ~ character) -%}
    {%- endfor -%}
    {{ return(ns.escaped) }}
{% endmacro %}
