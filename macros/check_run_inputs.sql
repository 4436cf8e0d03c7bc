{#-
    Checks that run before anything else (on-run-start) and the state binding kept after a run
    (on-run-end). Every problem stops the run with one line saying what to fix.
-#}

{% macro check_run_inputs() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for name in ['raw_path', 'output_path'] -%}
        {%- set value = var(name) -%}
        {%- if value is not string or value | trim == '' -%}
            {{ exceptions.raise_compiler_error(
                "Invalid var " ~ name ~ ": it must be a non-empty path, got " ~ tojson(value) ~ ".") }}
        {%- endif -%}
    {%- endfor -%}
    {%- do fraction_var('max_rejection_rate') -%}
    {%- do fraction_var('interest_threshold') -%}
    {%- set warn_hours = freshness_hours_var('freshness_warn_after_hours') -%}
    {%- set error_hours = freshness_hours_var('freshness_error_after_hours') -%}
    {%- if warn_hours > error_hours -%}
        {{ exceptions.raise_compiler_error(
            "Invalid vars: freshness_warn_after_hours (" ~ warn_hours ~ ") is above "
            ~ "freshness_error_after_hours (" ~ error_hours ~ ").") }}
    {%- endif -%}
    {%- do freshness_reference_time() -%}
    {%- if flags.WHICH in ['build', 'run', 'freshness'] -%}
        {%- do require_input_files() -%}
    {%- endif -%}
    {%- if flags.WHICH in ['build', 'run'] -%}
        {%- do check_output_location() -%}
        {%- do check_state_binding() -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro fraction_var(name) %}
    {#-
        The var `name`, which must be a number from 0 to 1, as an exact SQL decimal
        (decimal(19, 18)): never a float, never rounded. Plain (0.1, .5, 1) or scientific (1e-05,
        as YAML prints a small float) notation; at most 18 decimals. Anything else stops the run.
    -#}
    {%- set value = var(name) -%}
    {%- set parts = modules.re.fullmatch(
        '([0-9]*)(?:[.]([0-9]*))?(?:[eE]([-+]?[0-9]{1,3}))?', (value ~ '') | trim) -%}
    {%- set ns = namespace(text=none) -%}
    {%- if value is not boolean and parts is not none and (parts.group(1) ~ (parts.group(2) or '')) != '' -%}
        {#- Shift the decimal point by the exponent, on the digits: no float is involved. -#}
        {%- set digits = parts.group(1) ~ (parts.group(2) or '') -%}
        {%- set point = (parts.group(1) | length) + ((parts.group(3) or '0') | int) -%}
        {%- if point <= 0 -%}
            {%- set whole, fraction = '', '0' * (0 - point) ~ digits -%}
        {%- elif point >= digits | length -%}
            {%- set whole, fraction = digits ~ '0' * (point - digits | length), '' -%}
        {%- else -%}
            {%- set whole, fraction = digits[:point], digits[point:] -%}
        {%- endif -%}
        {%- set whole, fraction = whole.lstrip('0'), fraction.rstrip('0') -%}
        {%- if (whole == '' or (whole == '1' and fraction == '')) and fraction | length <= 18 -%}
            {%- set ns.text = (whole or '0') ~ ('.' ~ fraction if fraction else '') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if ns.text is none -%}
        {{ exceptions.raise_compiler_error(
            "Invalid var " ~ name ~ ": it must be a number from 0 to 1 (at most 18 decimals), got "
            ~ tojson(value) ~ ".") }}
    {%- endif -%}
    {{ return('cast(' ~ sql_literal(ns.text) ~ ' as decimal(19, 18))') }}
{% endmacro %}


{% macro check_output_location() %}
    {{ return(adapter.dispatch('check_output_location', 'loco_clips')()) }}
{% endmacro %}

{% macro default__check_output_location() %}
{% endmacro %}

{% macro duckdb__check_output_location() %}
    {#- An s3:// output_path: its bucket must be reachable now, not once the build is done. -#}
    {%- if var('output_path').startswith('s3://') -%}
        {%- do run_query('select make_directories(' ~ sql_literal(var('output_path')) ~ ')') -%}
    {%- endif -%}
{% endmacro %}


{% macro check_state_binding() %}
    {{ return(adapter.dispatch('check_state_binding', 'loco_clips')()) }}
{% endmacro %}

{% macro default__check_state_binding() %}
    {#- Spark rebuilds staging in full every run: there is no state to bind. -#}
{% endmacro %}

{% macro duckdb__check_state_binding() %}
    {#-
        The DuckDB file is incremental state built from one raw_path. An incremental run on
        another raw_path (or on a state that recorded none) would mix two folders: refuse. A
        full refresh from another folder, or a state with no staging table yet, clears the record
        (a full refresh of the same folder keeps it: a killed one mixes nothing);
        record_state_binding writes it again once every staging model of the run has succeeded.
    -#}
    {%- set binding = state_binding_relation() -%}
    {%- set recorded = none -%}
    {%- if adapter.get_relation(binding.database, binding.schema, binding.identifier) -%}
        {%- set rows = run_query('select raw_path from ' ~ binding).rows -%}
        {%- set recorded = rows[0][0] if rows | length > 0 else none -%}
    {%- else -%}
        {%- do run_query('create table ' ~ binding ~ ' (raw_path varchar, bound_at timestamp)') -%}
    {%- endif -%}
    {%- set ns = namespace(has_state=false) -%}
    {%- for event_type in event_types() -%}
        {%- if adapter.get_relation(binding.database, binding.schema, 'stg_clips__' ~ event_type) -%}
            {%- set ns.has_state = true -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set raw_path = var('raw_path') -%}
    {%- if ns.has_state and not flags.FULL_REFRESH -%}
        {%- if recorded is none -%}
            {{ exceptions.raise_compiler_error(
                "The state in " ~ target.path ~ " does not say which raw_path it was built from: "
                ~ "rebuild it from " ~ tojson(raw_path) ~ " with --full-refresh.") }}
        {%- elif recorded != raw_path -%}
            {{ exceptions.raise_compiler_error(
                "The state in " ~ target.path ~ " was built from raw_path " ~ tojson(recorded)
                ~ ", not " ~ tojson(raw_path) ~ ": point DBT_DUCKDB_PATH at another file for "
                ~ "another folder, or rebuild this one with --full-refresh.") }}
        {%- endif -%}
    {%- elif recorded != raw_path -%}
        {#- A full refresh from another folder, or a new state: bound again once it is built. -#}
        {%- do run_query('delete from ' ~ binding) -%}
    {%- endif -%}
{% endmacro %}


{% macro record_state_binding(results) %}
    {#-
        on-run-end: once every staging model of the run has succeeded (and at least one ran),
        the state is known to hold raw_path's files only: record raw_path.
    -#}
    {%- if not execute or target.type != 'duckdb' or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ns = namespace(built=0, failed=0) -%}
    {%- for result in results if result.node.resource_type == 'model'
        and result.node.name.startswith('stg_') -%}
        {%- set ns.built = ns.built + 1 -%}
        {%- set ns.failed = ns.failed + (0 if result.status == 'success' else 1) -%}
    {%- endfor -%}
    {%- if ns.built > 0 and ns.failed == 0 -%}
        {%- set binding = state_binding_relation() -%}
        {%- do run_query('delete from ' ~ binding) -%}
        {%- do run_query('insert into ' ~ binding ~ ' values (' ~ sql_literal(var('raw_path'))
            ~ ', current_timestamp)') -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro state_binding_relation() %}
    {{ return(api.Relation.create(database=target.database, schema=target.schema, identifier='loco_state')) }}
{% endmacro %}


{% macro name_unreadable_files(results) %}
    {{ return(adapter.dispatch('name_unreadable_files', 'loco_clips')(results)) }}
{% endmacro %}

{% macro default__name_unreadable_files(results) %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__name_unreadable_files(results) %}
    {#-
        on-run-end: when a staging model failed, say which of its raw files cannot be read (a
        corrupt gzip file, say): DuckDB's own error does not name the file.
    -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for result in results if result.node.resource_type == 'model'
        and result.node.name.startswith('stg_clips__') and result.status == 'error' -%}
        {%- set files = list_raw_files(result.node.name | replace('stg_clips__', '')) -%}
        {%- if files -%}
            {%- set query -%}
                select path, error
                from (
                    select path, raw_file_error(path) as error
                    from {{ file_paths_relation(files) }}
                )
                where error is not null
            {%- endset -%}
            {%- for row in run_query(query).rows -%}
                {%- do log("Cannot read raw event file " ~ tojson(row[0]) ~ ": " ~ row[1], info=true) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
