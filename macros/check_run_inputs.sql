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
    {#-
        DuckDB reads the outputs back (the analyses' view, the summary, the PostgreSQL loader),
        so output_path must be a path its readers can name (duckdb_literal_path). An s3://
        output_path: its bucket must be reachable now, not once the build is done.
    -#}
    {%- do duckdb_literal_path(var('output_path'), 'output_path') -%}
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
        The DuckDB file is incremental state built from one raw_path, by one version of the
        rules. An incremental run on another raw_path (or on a state that recorded none), or with
        other rules (rules_fingerprint), would mix two folders or two rule sets: refuse. Any
        other run (a full refresh, or a state with no staging table yet) clears the record, and
        record_state_binding writes it again once every incremental model of the run has
        succeeded: a full refresh stopped half way (its validation models rebuilt, its per-pair
        states not) leaves a state that asks for --full-refresh, not one that would merge its
        batches again.
    -#}
    {%- set binding = state_binding_relation() -%}
    {%- set recorded = none -%}
    {%- set recorded_rules = none -%}
    {%- if adapter.get_relation(binding.database, binding.schema, binding.identifier) -%}
        {%- do run_query('alter table ' ~ binding ~ ' add column if not exists rules_fingerprint varchar') -%}
        {%- set rows = run_query('select raw_path, rules_fingerprint from ' ~ binding).rows -%}
        {%- if rows | length > 0 -%}
            {%- set recorded, recorded_rules = rows[0][0], rows[0][1] -%}
        {%- endif -%}
    {%- else -%}
        {%- do run_query('create table ' ~ binding
            ~ ' (raw_path varchar, bound_at timestamp, rules_fingerprint varchar)') -%}
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
        {%- elif recorded_rules != rules_fingerprint() -%}
            {{ exceptions.raise_compiler_error(
                "The state in " ~ target.path ~ " was built with other rules (the models, macros, "
                ~ "sources or seeds its incremental models are made of have changed): rebuild it "
                ~ "with --full-refresh.") }}
        {%- endif -%}
        {%- do check_loaded_files_unchanged() -%}
    {%- else -%}
        {%- do run_query('delete from ' ~ binding) -%}
    {%- endif -%}
{% endmacro %}


{% macro check_loaded_files_unchanged() %}
    {#-
        An incremental run only adds: every raw file the state has loaded must still be there,
        with the size and modification time it was loaded with. Otherwise its rows, and what
        the validation and per-pair state models made of them, would no longer match raw_path:
        refuse, naming the file, and ask for --full-refresh (which reads every file again).
    -#}
    {%- for event_type in event_types() -%}
        {%- set staging = api.Relation.create(
            database=target.database, schema=target.schema, identifier='stg_clips__' ~ event_type) -%}
        {%- if adapter.get_relation(staging.database, staging.schema, staging.identifier) -%}
            {%- set listed = {} -%}
            {%- for file in list_raw_files(event_type) -%}
                {%- do listed.update({file[0]: [file[1], file[2]]}) -%}
            {%- endfor -%}
            {%- set query -%}
                select distinct source_file, source_file_size, source_file_modified_ms
                from {{ staging }}
                order by source_file
            {%- endset -%}
            {%- for row in run_query(query).rows -%}
                {%- set now = listed.get(row[0]) -%}
                {%- if now is none -%}
                    {{ exceptions.raise_compiler_error(
                        "Raw file " ~ tojson(row[0]) ~ " was loaded by an earlier run and is gone: "
                        ~ "an incremental run only adds files. Put it back, or rebuild with --full-refresh.") }}
                {%- elif now != [row[1] | int, row[2] | int] -%}
                    {{ exceptions.raise_compiler_error(
                        "Raw file " ~ tojson(row[0]) ~ " has changed since an earlier run loaded it "
                        ~ "(size or modification time): an incremental run only adds files. Rebuild "
                        ~ "with --full-refresh.") }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{% macro rules_fingerprint() %}
    {#-
        An MD5 of everything the incremental models' rows depend on: the SQL of each
        incremental model and of every model and seed upstream of it (their checksums), the
        declared columns of the sources, the text of every project macro they call, with each
        dispatched macro's engine forms, and the var interest_threshold. A state built with another fingerprint holds rows
        made by other rules.
    -#}
    {%- set macros = {} -%}
    {%- for value in context.values() if value.macro is defined and value.macro.package_name == project_name -%}
        {%- do macros.update({value.macro.unique_id: value.macro}) -%}
    {%- endfor -%}
    {%- set todo = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
        {%- do todo.append(node.unique_id) -%}
    {%- endfor -%}
    {%- set seen = {} -%}
    {%- for unique_id in todo if unique_id not in seen -%}
        {%- if unique_id in macros -%}
            {%- set macro = macros[unique_id] -%}
            {%- do seen.update({unique_id: macro.macro_sql}) -%}
            {%- set name = unique_id.split('.')[-1] -%}
            {%- do todo.extend(macro.depends_on.macros) -%}
            {%- for prefix in ['default__', 'duckdb__', 'spark__'] -%}
                {%- do todo.append('macro.' ~ project_name ~ '.' ~ prefix ~ name) -%}
            {%- endfor -%}
        {%- elif unique_id in graph.nodes -%}
            {%- set node = graph.nodes[unique_id] -%}
            {%- do seen.update({unique_id: node.checksum.checksum}) -%}
            {%- do todo.extend(node.depends_on.nodes) -%}
            {%- do todo.extend(node.depends_on.macros) -%}
        {%- elif unique_id in graph.sources -%}
            {%- do seen.update({unique_id: graph.sources[unique_id].columns.keys() | list | join(',')}) -%}
        {%- else -%}
            {%- do seen.update({unique_id: ''}) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- int_pair_interest keeps is_interested, decided with this var. -#}
    {%- do seen.update({'var.interest_threshold': fraction_var('interest_threshold')}) -%}
    {%- set parts = [] -%}
    {%- for unique_id in seen.keys() | sort -%}
        {%- do parts.append(unique_id ~ '=' ~ local_md5(seen[unique_id])) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{% endmacro %}


{% macro record_state_binding(results) %}
    {#-
        on-run-end: once every incremental model of the run has succeeded (and at least one
        staging model ran), the state is known to hold raw_path's files only, made by these
        rules: record both.
    -#}
    {%- if not execute or target.type != 'duckdb' or flags.WHICH not in ['build', 'run'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ns = namespace(staged=0, failed=0) -%}
    {%- for result in results if result.node.resource_type == 'model'
        and result.node.config.materialized == 'incremental' -%}
        {%- set ns.staged = ns.staged + (1 if result.node.name.startswith('stg_') else 0) -%}
        {%- set ns.failed = ns.failed + (0 if result.status == 'success' else 1) -%}
    {%- endfor -%}
    {%- if ns.staged > 0 and ns.failed == 0 -%}
        {%- set binding = state_binding_relation() -%}
        {%- do run_query('delete from ' ~ binding) -%}
        {%- do run_query('insert into ' ~ binding ~ ' (raw_path, bound_at, rules_fingerprint) values ('
            ~ sql_literal(var('raw_path')) ~ ', current_timestamp, '
            ~ sql_literal(rules_fingerprint()) ~ ')') -%}
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
