-- Rules 3 and 5 for likes and unlikes (text: models/_rules__docs.md). One row per distinct
-- record; valid rows have a NULL reason_code. Narrow, like int_watch_events_validated: the raw
-- record is kept for rejected rows only.

{#-
    A subquery, not a CTE: deduplicate_records scans it three times. Its columns are
    record_fields plus event_type.
-#}
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

    {%- set columns = ['event_type'] + record_fields('reel_liked') | map(attribute=1) | list %}
    {{ deduplicate_records(reactions, columns) }}

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
            when event_type = 'reel_liked' then {{ raw_record_json(record_fields('reel_liked')) }}
            else {{ raw_record_json(record_fields('reel_unliked')) }}
        end as raw_record
    from validated

)

select * from final
