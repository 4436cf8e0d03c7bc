{{
    config(
        post_hook="{{ export_parquet('rejected_events', 'event_type, source_file, reason_code') }}",
    )
}}
-- Waits for the quality gates on: {{ ref('int_event_outcomes_counted') }}

with

{%- set common_fields = [
    ("'event_name'", 'event_name', false),
    ("'timestamp'", 'client_timestamp', true),
    ("'server_timestamp'", 'server_timestamp', true),
    ("'user_uid'", 'user_uid', false),
    ("'streamer_uid'", 'streamer_uid', false),
    ("'reel_uid'", 'reel_uid', false),
    ("'category_uid'", 'category_uid', false),
    ("'origin_platform'", 'origin_platform', false),
    ("'app_version'", 'app_version', false),
    ("'reel_duration'", 'reel_duration', true),
] %}

rejected_watch_events as (

    select
        'reel_watched' as event_type,
        source_file,
        reason_code,
        {{ raw_record_json(common_fields + [
            ("'reel_watch_duration'", 'reel_watch_duration', true),
            ("'replay_count'", 'replay_count', true),
        ]) }} as raw_record
    from {{ ref('int_watch_events_validated') }}
    where reason_code is not null

),

rejected_reactions as (

    select
        event_type,
        source_file,
        reason_code,
        {{ raw_record_json(common_fields + [(
            "case event_type when 'reel_liked' then 'like_time' else 'unlike_time' end",
            'action_time',
            true,
        )]) }} as raw_record
    from {{ ref('int_reactions_validated') }}
    where reason_code is not null

),

unparsed_lines as (

    select
        event_type,
        source_file,
        reason_code,
        raw_record
    from {{ ref('int_unparsed_lines_recovered') }}

),

rejected as (

    select * from rejected_watch_events
    union all
    select * from rejected_reactions
    union all
    select * from unparsed_lines

)

select * from rejected
