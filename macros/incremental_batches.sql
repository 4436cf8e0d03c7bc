{#-
    Incremental runs after staging (DuckDB; Spark rebuilds every model in full, docs/spark.md).
    Raw files are only ever added: check_loaded_files_unchanged refuses a run in which a file
    already loaded has changed or gone, so each model only adds what is new to it. A validation
    model validates the files it has not seen and numbers each run's rows (batch_number); a
    per-pair state model merges the batches it has not applied yet into the pairs they touch.
-#}

{% macro not_yet_read() -%}
    {#- Staging rows of the files this model has not read yet (all of them on a full build). -#}
    {%- if is_incremental() -%}
        source_file not in (select distinct source_file from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro batch_number() -%}
    {#- This run's number in a validation model: one more than the last one's (1 on a full build). -#}
    {%- if is_incremental() -%}
        (select coalesce(max(batch_number), 0) + 1 from {{ this }})
    {%- else -%}
        1
    {%- endif -%}
{%- endmacro %}


{% macro not_yet_applied(batch='batch_number', applied='last_batch_number') -%}
    {#-
        Rows whose `batch` a per-pair state model has not merged yet: every row on a full build.
        Each state row keeps the last batch that touched it (`applied`), so the greatest is the
        last batch applied, also after a run that stopped half-way.
    -#}
    {%- if is_incremental() -%}
        {{ batch }} > (select coalesce(max({{ applied }}), 0) from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro changed_pairs(state, applied) %}
    {#-
        The (user_uid, reel_uid) pairs of the per-pair state `state` with a batch this model has
        not applied yet: `applied` is this model's column holding the last batch of `state` it
        took (not_yet_applied).
    -#}
    select
        user_uid,
        reel_uid
    from {{ state }}
    where {{ not_yet_applied('last_batch_number', applied) }}
{% endmacro %}


{% macro rows_of_pairs(relation, pairs) %}
    {#-
        The rows of `relation` for the (user_uid, reel_uid) pairs of `pairs`, on an incremental
        run; all its rows on a full build (where every pair is new).
    -#}
    {%- if is_incremental() %}
    select selected.*
    from {{ relation }} as selected
    inner join (select distinct user_uid, reel_uid from {{ pairs }}) as touched
        on
            selected.user_uid = touched.user_uid
            and selected.reel_uid = touched.reel_uid
    {%- else %}
    select * from {{ relation }}
    {%- endif %}
{% endmacro %}


{% macro applied_rows(pairs) %}
    {#-
        What a per-pair state model held before this run for the pairs of `pairs` (a CTE with
        the model's own columns, in its order): its rows for those pairs on an incremental run,
        none on a full build.
    -#}
    {%- if is_incremental() %}
    {{ rows_of_pairs(this, pairs) }}
    {%- else %}
    select * from {{ pairs }} where false
    {%- endif %}
{% endmacro %}
