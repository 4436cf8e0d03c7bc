{#-
    Publishing the outputs: on-run-end (dbt_project.yml) calls publish_outputs(results) once
    every node of the run is done. It publishes only a `dbt build` in which every model and every
    test passed and which built both marts, everything they are built from, and every data test
    of those (a build of a part of the graph, or one whose gates were not run, publishes nothing).
-#}

{% macro published_outputs() %}
    {#- The marts other teams read, and the order their rows are written in. -#}
    {{ return([
        {'model': 'user_reel_interest', 'order_by': 'user_uid, reel_uid'},
        {'model': 'rejected_events', 'order_by': 'event_type, source_file, reason_code'},
    ]) }}
{% endmacro %}


{% macro publish_outputs(results) %}
    {#- `dbt source freshness` runs the project's hooks too: it never publishes, and says nothing. -#}
    {%- if not execute or flags.WHICH == 'freshness' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set reason = publish_refusal(results) -%}
    {%- if reason -%}
        {{ log('Outputs not published: ' ~ reason ~ '; ' ~ var('output_path') ~ ' is unchanged.', info=true) }}
    {%- else -%}
        {{ log(publish_run(invocation_id), info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro publish_refusal(results) %}
    {#- Why this run must not publish, or '' when it may. -#}
    {%- if flags.WHICH != 'build' -%}
        {{ return('only `dbt build` publishes (it runs the tests), this is `dbt ' ~ flags.WHICH ~ '`') }}
    {%- endif -%}
    {%- if flags.EMPTY -%}
        {{ return('an --empty build has no rows to publish') }}
    {%- endif -%}
    {%- set status_of = {} -%}
    {%- set failed = [] -%}
    {%- for result in results -%}
        {%- do status_of.update({result.node.unique_id: result.status}) -%}
        {%- if result.status not in ['success', 'pass', 'warn', 'no-op'] -%}
            {%- do failed.append(result.node.unique_id ~ ' (' ~ result.status ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if failed -%}
        {{ return(failed | length ~ ' node(s) did not pass: ' ~ failed[:5] | join(', ')) }}
    {%- endif -%}
    {%- set required = {} -%}
    {%- for output in published_outputs() -%}
        {%- do required.update({'model.' ~ project_name ~ '.' ~ output.model: true}) -%}
    {%- endfor -%}
    {%- set unbuilt = required.keys() | reject('in', status_of) | list -%}
    {%- if unbuilt -%}
        {{ return('the run did not build ' ~ unbuilt | join(', ')) }}
    {%- endif -%}
    {#- Everything the marts are built from (models, seeds, snapshots), to a fixed point. -#}
    {%- for _ in graph.nodes -%}
        {%- set added = [] -%}
        {%- for unique_id in required.keys() | list -%}
            {%- for parent in graph.nodes[unique_id].depends_on.nodes if parent in graph.nodes and parent not in required -%}
                {%- do required.update({parent: true}) -%}
                {%- do added.append(parent) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if not added -%}
            {%- break -%}
        {%- endif -%}
    {%- endfor -%}
    {#- ... and every data test on them: the quality gates. -#}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' -%}
        {%- if node.depends_on.nodes and node.depends_on.nodes | reject('in', required) | list | length == 0 -%}
            {%- do required.update({node.unique_id: true}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set not_run = required.keys() | reject('in', status_of) | sort | list -%}
    {%- if not_run -%}
        {{ return(not_run | length ~ ' node(s) the marts need did not run: ' ~ not_run[:5] | join(', ')) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro publish_run(run_id) %}
    {{ return(adapter.dispatch('publish_run', 'loco_clips')(run_id)) }}
{% endmacro %}

{% macro duckdb__publish_run(run_id) %}
    {#-
        The run's three files go to <output_path>/.runs/<run_id>/, then publish_run() (registered
        by loco_clips.dbt_plugin) swaps the symlink <output_path>/current to that folder in one
        rename. On s3:// each Parquet file goes in a folder of its own there (<model>/<model>.parquet,
        the table's Athena LOCATION) and publish_run() writes the pointer <output_path>/_latest.json,
        then copies the three to the fixed names (loco_clips/publish.py). Returns the line to log.
    -#}
    {%- set folder = var('output_path').rstrip('/') -%}
    {%- set run_folder = folder ~ '/.runs/' ~ run_id -%}
    {%- set table_folders = folder.startswith('s3://') -%}
    {%- do run_query('select make_directories(' ~ sql_literal(run_folder) ~ ')') -%}
    {%- for output in published_outputs() -%}
        {%- set location = run_folder ~ '/' ~ (output.model ~ '/' if table_folders else '') ~ output.model ~ '.parquet' -%}
        {%- do export_parquet(node_relation(output.model), location, output.order_by) -%}
    {%- endfor -%}
    {%- set query -%}
        copy ({{ run_summary_query(run_id) }})
        to {{ sql_literal(run_folder ~ '/run_summary.json') }} (format json)
    {%- endset -%}
    {%- do run_query(query) -%}
    {%- set published = run_query('select publish_run(' ~ sql_literal(folder) ~ ', ' ~ sql_literal(run_id) ~ ')') -%}
    {{ return('Outputs published: ' ~ published.columns[0].values()[0]) }}
{% endmacro %}

{% macro spark__publish_run(run_id) %}
    {#-
        Spark SQL cannot rename a file or swap a symlink, so a Spark build stages and a step after
        it publishes: the run's three outputs are written (folders of part files) to
        <output_path>/.runs/<run_id>/, which no reader sees, and `loco-clips-publish <output_path>`
        swaps them in as DuckDB's plugin does (loco_clips/publish.py, the same function). The
        catalog tables <model>_parquet and run_summary_json are external tables on the fixed
        names, so they show the published run. Returns the line to log.
    -#}
    {%- set folder = absolute_path(var('output_path').rstrip('/')) -%}
    {%- set run_folder = folder ~ '/.runs/' ~ run_id -%}
    {%- for output in published_outputs() -%}
        {%- do export_parquet(node_relation(output.model), run_folder ~ '/' ~ output.model ~ '.parquet', output.order_by) -%}
    {%- endfor -%}
    {%- set summary = api.Relation.create(identifier='loco_clips_run_summary') -%}
    {%- do run_query('create or replace temporary view ' ~ summary ~ ' as ' ~ run_summary_query(run_id)) -%}
    {%- do run_query(
        'insert overwrite directory ' ~ sql_literal(run_folder ~ '/run_summary.json')
        ~ ' using json select * from ' ~ summary) -%}
    {%- set catalog_tables = [] -%}
    {%- for output in published_outputs() -%}
        {%- do catalog_tables.append((node_relation(output.model), output.model ~ '_parquet', 'parquet', output.model ~ '.parquet')) -%}
    {%- endfor -%}
    {%- do catalog_tables.append((summary, 'run_summary_json', 'json', 'run_summary.json')) -%}
    {%- for source, identifier, file_format, name in catalog_tables -%}
        {%- set table = api.Relation.create(schema=target.schema, identifier=identifier, type='table') -%}
        {%- do adapter.drop_relation(table) -%}
        {%- do run_query(
            'create table ' ~ table ~ ' like ' ~ source ~ ' using ' ~ file_format
            ~ ' location ' ~ sql_literal(folder ~ '/' ~ name)) -%}
    {%- endfor -%}
    {{ return(
        'Outputs written to ' ~ run_folder ~ ', not published yet: `loco-clips-publish '
        ~ "'" ~ var('output_path') | replace("'", "'\\''") ~ "'` publishes them") }}
{% endmacro %}


{% macro run_summary_query(run_id) %}
    {#-
        One row, written as one JSON object: the run, what it read, what became of every line
        (int_event_outcomes_counted) and the rows of each output. Every count is an integer.
    -#}
        {%- set finished_at = modules.datetime.datetime.now(modules.pytz.utc).strftime('%Y-%m-%dT%H:%M:%SZ') -%}
    {%- set per_event_type = [] -%}
    {%- for event_type in event_types() -%}
        {%- set staging = node_relation('stg_clips__' ~ event_type) -%}
        {%- set counts = '(select {} from ' ~ node_relation('int_event_outcomes_counted') ~ ' where event_type = ' ~ sql_literal(event_type) ~ ')' -%}
        {%- do per_event_type.append((event_type, struct_of([
            ('files_in_state', '(select count(distinct source_file) from ' ~ staging ~ ')'),
            ('files_read', '(select count(distinct source_file) from ' ~ staging ~ ' where load_id = ' ~ sql_literal(run_id) ~ ')'),
            ('lines_read', counts.format('lines_read')),
            ('used', counts.format('used')),
            ('duplicates', counts.format('duplicates')),
            ('rejected', counts.format('rejected')),
        ]))) -%}
    {%- endfor -%}
    {%- set rows = [] -%}
    {%- for output in published_outputs() -%}
        {%- do rows.append((output.model, '(select count(*) from ' ~ node_relation(output.model) ~ ')')) -%}
    {%- endfor -%}
    {%- set files = [] -%}
    {%- for event_type in event_types() -%}
        {%- do files.append('select source_file, load_id from ' ~ node_relation('stg_clips__' ~ event_type)) -%}
    {%- endfor -%}
    {%- set all_files = '(' ~ files | join(' union all ') ~ ') as files' -%}
    select
        {{ sql_literal(run_id) }} as run_id,
        {{ sql_literal(finished_at) }} as finished_at,
        {{ sql_literal(var('raw_path')) }} as raw_path,
        (select count(distinct source_file) from {{ all_files }}) as files_in_state,
        (select count(distinct source_file) from {{ all_files }} where load_id = {{ sql_literal(run_id) }}) as files_read,
        {{ struct_of(per_event_type) }} as event_types,
        {{ struct_of(rows) }} as {{ adapter.quote('rows') }}
{% endmacro %}


{% macro struct_of(fields) %}
    {{ return(adapter.dispatch('struct_of', 'loco_clips')(fields)) }}
{% endmacro %}

{% macro default__struct_of(fields) -%}
    struct_pack({% for name, expression in fields %}{{ adapter.quote(name) }} := {{ expression }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct({% for name, expression in fields %}{{ sql_literal(name) }}, {{ expression }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}


{% macro node_relation(model_name) %}
    {#- The relation a model of this project was built as (ref() is not available in hooks). -#}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias, type='table')) }}
{% endmacro %}


{% macro athena_table_location(table) %}
    {#-
        The Athena / Glue LOCATION of a published table on S3: the folder of the run holding only
        that table's file, <run_folder><table>/, as publish_run writes it (loco_clips/publish.py)
        and names it under `tables` in <output_path>/_latest.json. run_folder is var
        athena_run_folder (the pointer's run_folder); the default is production's layout with a
        placeholder run id. Returned as a SQL literal.
    -#}
    {%- set run_folder = var('athena_run_folder', 's3://loco-clips-curated-prod/interest/.runs/<run_id>/') -%}
    {%- if not (run_folder is string and run_folder.startswith('s3://')) or "'" in run_folder or '\\' in run_folder -%}
        {{ exceptions.raise_compiler_error(
            "Invalid var athena_run_folder: it must be an s3:// folder without quotes or "
            ~ "backslashes (the run_folder of <output_path>/_latest.json), got " ~ tojson(run_folder) ~ ".") }}
    {%- endif -%}
    {{ return(sql_literal(run_folder.rstrip('/') ~ '/' ~ table ~ '/')) }}
{% endmacro %}
