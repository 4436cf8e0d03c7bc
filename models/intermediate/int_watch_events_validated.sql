-- Watch events, exact duplicates counted once, typed, checked against the validity rule and
-- given their normalized watch duration. One row per distinct record: valid rows have a NULL
-- reason_code; n_copies - 1 of each record are redelivered duplicates. Narrow on purpose: the
-- keys and numbers the mart needs, and the raw record of rejected rows only (writing every
-- field's text again for valid rows was the largest single cost of a build).

{%- set fields = record_fields('reel_watched') %}

{#- A subquery, not a CTE: deduplicate_records scans it three times. -#}
{%- set watched -%}
    (select * from {{ ref('stg_clips__reel_watched') }} where not is_unparsed)
{%- endset %}

with

app_versions as (

    select * from {{ ref('int_app_versions_resolved') }}

),

deduplicated as (

    {{ deduplicate_records(watched, fields | map(attribute=1) | list) }}

),

typed as (

    select
        deduplicated.*,
        {{ parse_decimal('reel_duration') }} as reel_duration_seconds,
        {{ parse_decimal('reel_watch_duration') }} as reel_watch_duration_seconds,
        try_cast({{ parse_integer('replay_count') }} as integer) as replay_count_number
    from deduplicated

),

validated as (

    select
        typed.*,
        app_versions.watch_duration_semantics,
        case
            when typed.user_uid is null or trim(typed.user_uid) = '' then 'missing_user_uid'
            when typed.reel_uid is null or trim(typed.reel_uid) = '' then 'missing_reel_uid'
            when not app_versions.is_known_platform then 'unknown_platform'
            when app_versions.is_app_version_checked and app_versions.version_key is null
                then 'invalid_app_version'
            when not app_versions.has_rule then 'unsupported_app_version'
            when coalesce(typed.reel_duration_seconds <= 0, true) then 'invalid_reel_duration'
            when coalesce(typed.reel_watch_duration_seconds < 0, true)
                then 'invalid_reel_watch_duration'
            when
                typed.replay_count is not null
                and coalesce(typed.replay_count_number < 0, true)
                then 'invalid_replay_count'
            when
                app_versions.watch_duration_semantics = 'last_loop_only'
                and typed.replay_count is null
                then 'missing_replay_count'
        end as reason_code
    from typed
    inner join app_versions
        on
            typed.origin_platform is not distinct from app_versions.origin_platform
            and typed.app_version is not distinct from app_versions.app_version

),

normalized as (

    select
        source_file,
        n_copies,
        user_uid,
        reel_uid,
        reel_duration_seconds,
        reason_code,
        case
            when reason_code is not null then null
            when watch_duration_semantics = 'last_loop_only'
                then reel_duration_seconds * replay_count_number + reel_watch_duration_seconds
            else reel_watch_duration_seconds
        end as normalized_watch_seconds,
        case
            when reason_code is not null
                then {{ raw_record_json(fields) }}
        end as raw_record
    from validated

)

select * from normalized
