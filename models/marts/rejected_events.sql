-- Waits for the quality gates on: {{ ref('int_event_outcomes_counted') }}

with

rejected_watch_events as (

    select
        'reel_watched' as event_type,
        source_file,
        reason_code,
        raw_record
    from {{ ref('int_watch_events_validated') }}
    where reason_code is not null

),

rejected_reactions as (

    select
        event_type,
        source_file,
        reason_code,
        raw_record
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

),

dated as (

    select
        event_type,
        source_file,
        reason_code,
        raw_record,
        {{ dt_folder_date('source_file') }} as event_date
    from rejected

)

select * from dated
