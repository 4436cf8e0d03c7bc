-- Rules 1, 2 and 5 for watch events (text: models/_rules__docs.md). One row per distinct
-- record of each file: valid rows have a NULL reason_code, and the copies of a record after
-- its first (is_first_copy false) count as duplicates. Narrow on purpose: the keys and numbers
-- the mart needs, and the raw record of rejected rows only (writing every field's text again
-- for valid rows was the largest single cost of a build). Incremental: a run validates the
-- files it has not seen (macros/incremental_batches.sql).

{%- set fields = record_fields('reel_watched') %}
{%- set columns = fields | map(attribute=1) | list %}
{%- set staging = ref('stg_clips__reel_watched') %}

{#-
    Subqueries, not CTEs: deduplicate_records scans new_lines three times (as a CTE, DuckDB
    would hold every line of a full build in memory). lines: every parsed line, where
    mark_first_copies looks for the copies an earlier run read.
-#}
{%- set lines -%}
    (select * from {{ staging }} where not is_unparsed)
{%- endset %}
{%- set new_lines -%}
    (select * from {{ staging }} where not is_unparsed and {{ not_yet_read() }})
{%- endset %}

with

app_versions as (

    select * from {{ ref('int_app_versions_resolved') }}

),

deduplicated as (

    {{ deduplicate_records(new_lines, columns) }}

),

first_copies as (

    {{ mark_first_copies('deduplicated', lines, columns) }}

),

typed as (

    select
        first_copies.*,
        {{ parse_decimal('reel_duration') }} as reel_duration_seconds,
        {{ parse_decimal('reel_watch_duration') }} as reel_watch_duration_seconds,
        {{ parse_integer('replay_count') }} as replay_count_number
    from first_copies

),

computed as (

    select
        typed.*,
        app_versions.watch_duration_semantics,
        app_versions.is_known_platform,
        app_versions.is_app_version_checked,
        app_versions.version_key,
        app_versions.has_rule,
        case
            when app_versions.watch_duration_semantics = 'last_loop_only'
                then {{ loops_plus_last_loop(
                    'typed.reel_duration_seconds', 'typed.replay_count_number',
                    'typed.reel_watch_duration_seconds') }}
            else typed.reel_watch_duration_seconds
        end as watch_seconds
    from typed
    inner join app_versions
        on
            typed.origin_platform is not distinct from app_versions.origin_platform
            and typed.app_version is not distinct from app_versions.app_version

),

validated as (

    select
        *,
        case
            when user_uid is null or trim(user_uid) = '' then 'missing_user_uid'
            when reel_uid is null or trim(reel_uid) = '' then 'missing_reel_uid'
            when not is_known_platform then 'unknown_platform'
            when is_app_version_checked and version_key is null
                then 'invalid_app_version'
            when not has_rule then 'unsupported_app_version'
            when coalesce(reel_duration_seconds <= 0, true) then 'invalid_reel_duration'
            when coalesce(reel_watch_duration_seconds < 0, true)
                then 'invalid_reel_watch_duration'
            when
                replay_count is not null
                and coalesce(replay_count_number < 0, true)
                then 'invalid_replay_count'
            when
                watch_duration_semantics = 'last_loop_only'
                and replay_count is null
                then 'missing_replay_count'
            when
                watch_seconds is null
                or {{ is_ratio_out_of_range('watch_seconds', 'reel_duration_seconds') }}
                then 'value_out_of_range'
        end as reason_code
    from computed

),

normalized as (

    select
        source_file,
        n_copies,
        is_first_copy,
        {{ batch_number() }} as batch_number,
        user_uid,
        reel_uid,
        reel_duration_seconds,
        reason_code,
        case when reason_code is null then watch_seconds end as normalized_watch_seconds,
        case
            when reason_code is not null
                then {{ raw_record_json(fields) }}
        end as raw_record,
        case
            when reason_code is not null
                then {{ record_key(columns) }}
        end as record_key
    from validated

)

select * from normalized
