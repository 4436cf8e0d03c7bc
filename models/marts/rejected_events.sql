-- Waits for the quality gates on: {{ ref('int_event_outcomes_counted') }}

with

rejected_copies as (

    select
        'reel_watched' as event_type,
        source_file,
        reason_code,
        raw_record,
        record_key
    from {{ ref('int_watch_events_validated') }}
    where reason_code is not null
    union all
    select
        event_type,
        source_file,
        reason_code,
        raw_record,
        record_key
    from {{ ref('int_reactions_validated') }}
    where reason_code is not null

),

-- Rule 5: a rejected record once, from the first file (in path order) that holds it, however
-- many runs read its copies.
rejected_records as (

    select
        event_type,
        min(source_file) as source_file,
        any_value(reason_code) as reason_code,
        any_value(raw_record) as raw_record
    from rejected_copies
    group by event_type, record_key

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

    select * from rejected_records
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
