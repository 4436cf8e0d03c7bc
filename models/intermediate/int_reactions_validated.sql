-- Likes and unlikes, exact duplicates counted once (within each event type), typed and checked
-- against the validity rule: non-empty user_uid and reel_uid and an integer client timestamp.
-- Platform, version and durations do not matter here. One row per distinct record; valid rows
-- have a NULL reason_code. Narrow, like int_watch_events_validated: the raw record is kept for
-- rejected rows only.

{#-
    The fields of a like (an unlike has unlike_time) in source order: JSON key, column here, a
    number in raw_record. Duplicates are found on these columns plus event_type.
-#}
{%- set like_fields = [
    ('event_name', 'event_name', false),
    ('timestamp', 'client_timestamp', true),
    ('server_timestamp', 'server_timestamp', true),
    ('user_uid', 'user_uid', false),
    ('streamer_uid', 'streamer_uid', false),
    ('reel_uid', 'reel_uid', false),
    ('category_uid', 'category_uid', false),
    ('origin_platform', 'origin_platform', false),
    ('app_version', 'app_version', false),
    ('reel_duration', 'reel_duration', true),
    ('like_time', 'action_time', true),
] %}
{%- set unlike_fields = like_fields[:-1] + [('unlike_time', 'action_time', true)] %}

{#- A subquery, not a CTE: deduplicate_records scans it three times. -#}
{%- set reactions %}
    (
        select
            'reel_liked' as event_type,
            source_file,
            event_name,
            client_timestamp,
            server_timestamp,
            user_uid,
            streamer_uid,
            reel_uid,
            category_uid,
            origin_platform,
            app_version,
            reel_duration,
            like_time as action_time
        from {{ ref('stg_clips__reel_liked') }}
        where not is_unparsed
        union all
        select
            'reel_unliked' as event_type,
            source_file,
            event_name,
            client_timestamp,
            server_timestamp,
            user_uid,
            streamer_uid,
            reel_uid,
            category_uid,
            origin_platform,
            app_version,
            reel_duration,
            unlike_time as action_time
        from {{ ref('stg_clips__reel_unliked') }}
        where not is_unparsed
    )
{%- endset %}

with

deduplicated as (

    {{ deduplicate_records(reactions, ['event_type'] + like_fields | map(attribute=1) | list) }}

),

typed as (

    select
        deduplicated.*,
        {{ parse_integer('client_timestamp') }} as client_timestamp_ms,
        {{ parse_integer('server_timestamp') }} as server_timestamp_ms
    from deduplicated

),

validated as (

    select
        *,
        case
            when user_uid is null or trim(user_uid) = '' then 'missing_user_uid'
            when reel_uid is null or trim(reel_uid) = '' then 'missing_reel_uid'
            when client_timestamp_ms is null then 'invalid_timestamp'
        end as reason_code
    from typed

),

final as (

    select
        event_type,
        source_file,
        n_copies,
        user_uid,
        reel_uid,
        client_timestamp_ms,
        server_timestamp_ms,
        reason_code,
        case
            when reason_code is null then null
            when event_type = 'reel_liked' then {{ raw_record_json(like_fields) }}
            else {{ raw_record_json(unlike_fields) }}
        end as raw_record
    from validated

)

select * from final
