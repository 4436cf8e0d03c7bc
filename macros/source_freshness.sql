{#-
    Source freshness (`dbt source freshness`, run by the DAG before the build). The sources are
    raw files, not tables, so each source's `loaded_at_query` (models/staging/_clips__sources.yml)
    reads them: the newest server_timestamp of the newest day's files, as a UTC timestamp. The
    thresholds are the vars freshness_warn_after_hours and freshness_error_after_hours; "now" is
    the clock, or the var freshness_reference_time where a test or a rerun of a past day sets it.
-#}

{% macro raw_events_loaded_at(event_type) %}
    {{ return(adapter.dispatch('raw_events_loaded_at', 'loco_clips')(event_type)) }}
{% endmacro %}

{% macro default__raw_events_loaded_at(event_type) %}
    {{ exceptions.raise_compiler_error(
        "Source freshness reads the raw files on DuckDB only; target " ~ tojson(target.name)
        ~ " is " ~ target.type ~ ": run `dbt source freshness` with the duckdb target.") }}
{% endmacro %}

{% macro duckdb__raw_events_loaded_at(event_type) %}
    {#-
        A query returning one timestamp: the greatest server_timestamp (epoch milliseconds, read
        exactly by parse_integer, then epoch_ms) of the event type's files of the newest
        `dt=YYYY-MM-DD` folder and of its files outside any dt= folder; NULL (never loaded) when
        there is none. Only that day is read, not the whole history. A value after the reference
        time (a bad clock, a hostile line) is ignored: it must not make the source look fresh.
        `records = true`: given a single column, DuckDB's reader would otherwise return each
        whole line as that column's value.
    -#}
    {%- if not execute -%}{{ return('select cast(null as timestamp)') }}{%- endif -%}
    {%- set files = list_raw_files(event_type) -%}
    {%- set paths = [] -%}
    {%- if files -%}
        {%- set query -%}
            with dated as (
                select path, {{ dt_folder_date('path') }} as event_date
                from {{ file_paths_relation(files) }}
            )
            select path from dated
            where event_date is null or event_date = (select max(event_date) from dated)
            order by path
        {%- endset -%}
        {%- for row in run_query(query).rows -%}
            {%- do paths.append(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if paths | length == 0 -%}
        {{ return('select cast(null as timestamp)') }}
    {%- endif -%}
    {%- set loaded_at -%}
        select epoch_ms(max(server_timestamp_ms))
        from (
            select {{ parse_integer('server_timestamp') }} as server_timestamp_ms
            from read_json(
                {{ duckdb_literal_path_list(paths) }},
                format = 'newline_delimited',
                records = true,
                ignore_errors = true,
                hive_partitioning = false,
                maximum_object_size = 67108864,
                columns = {'server_timestamp': 'varchar'}
            )
        ) as events
        where server_timestamp_ms between 0 and epoch_ms({{ freshness_reference_time() }})
    {%- endset -%}
    {{ return(loaded_at) }}
{% endmacro %}


{% macro freshness_reference_time() %}
    {#-
        "Now" for freshness, as SQL: current_timestamp, or the var freshness_reference_time (an
        ISO 8601 time with its UTC offset, e.g. 2025-11-27T01:00:00Z) as a UTC timestamp.
    -#}
    {%- set value = var('freshness_reference_time', none) -%}
    {%- if value is none or value == '' -%}
        {{ return('current_timestamp') }}
    {%- endif -%}
    {%- set ns = namespace(parsed=none) -%}
    {%- if value is string -%}
        {%- set ns.parsed = modules.re.fullmatch(
            '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[-+][0-9]{2}:[0-9]{2})',
            value) -%}
    {%- endif -%}
    {%- if ns.parsed is not none -%}
        {%- set ns.parsed = modules.datetime.datetime.fromisoformat(value.replace('Z', '+00:00')) -%}
    {%- endif -%}
    {%- if ns.parsed is none -%}
        {{ exceptions.raise_compiler_error(
            "Invalid var freshness_reference_time: it must be an ISO 8601 time with its UTC offset "
            ~ "(2025-11-27T01:00:00Z), got " ~ tojson(value) ~ ".") }}
    {%- endif -%}
    {%- set utc = ns.parsed.astimezone(modules.pytz.utc).strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {{ return('cast(' ~ sql_literal(utc) ~ ' as timestamp)') }}
{% endmacro %}


{% macro duckdb__collect_freshness_custom_sql(source, loaded_at_query) %}
    {#-
        dbt's default__collect_freshness_custom_sql, with the reference time of
        freshness_reference_time instead of always current_timestamp (the same when the var is
        unset), so the age dbt reports is measured from it.
    -#}
    {% call statement('collect_freshness_custom_sql', fetch_result=True, auto_begin=False) -%}
    with source_query as (
        {{ loaded_at_query }}
    )
    select
        (select * from source_query) as max_loaded_at,
        {{ freshness_reference_time() }} as snapshotted_at
    {% endcall %}
    {{ return(load_result('collect_freshness_custom_sql')) }}
{% endmacro %}


{% macro freshness_hours_var(name) %}
    {#- The var `name`, a whole number of hours from 1 up; anything else stops the run. -#}
    {%- set value = var(name) -%}
    {%- set text = (value ~ '') | trim -%}
    {%- if value is boolean or not modules.re.fullmatch('[0-9]{1,6}', text) or text | int < 1 -%}
        {{ exceptions.raise_compiler_error(
            "Invalid var " ~ name ~ ": it must be a whole number of hours from 1 up, got "
            ~ tojson(value) ~ ".") }}
    {%- endif -%}
    {{ return(text | int) }}
{% endmacro %}


{% macro report_source_freshness(results) %}
    {#-
        on-run-end of `dbt source freshness`: one line per source past a threshold, naming it,
        its newest event and its age (dbt's own line says only ERROR STALE), e.g.
        `Source clips.reel_watched is stale (error after 24 h): newest server_timestamp
        2025-11-26 23:58:15 UTC, 1 day 6 h 1 min old`. Nothing on other commands.
    -#}
    {%- if not execute or flags.WHICH != 'freshness' -%}{{ return('') }}{%- endif -%}
    {%- for result in results if result.node.resource_type == 'source'
        and result.status in ['warn', 'error'] -%}
        {%- set criteria = result.node.freshness -%}
        {%- set threshold = criteria.error_after if result.status == 'error' else criteria.warn_after -%}
        {%- set minutes = (result.age | int) // 60 -%}
        {%- set days, hours, mins = minutes // 1440, (minutes % 1440) // 60, minutes % 60 -%}
        {%- set age = (days ~ (' day ' if days == 1 else ' days ') if days else '')
            ~ hours ~ ' h ' ~ mins ~ ' min' -%}
        {%- set newest = 'none (no file, or no valid server_timestamp)' if result.max_loaded_at.year == 1
            else result.max_loaded_at.strftime('%Y-%m-%d %H:%M:%S') ~ ' UTC, ' ~ age ~ ' old' -%}
        {%- do log("Source " ~ result.node.source_name ~ "." ~ result.node.name ~ " is "
            ~ ("stale" if result.status == 'error' else "late") ~ " (" ~ result.status ~ " after "
            ~ threshold.count ~ " " ~ threshold.period ~ "s): newest server_timestamp " ~ newest
            ~ " at " ~ result.snapshotted_at.strftime('%Y-%m-%d %H:%M:%S') ~ " UTC.", info=true) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
