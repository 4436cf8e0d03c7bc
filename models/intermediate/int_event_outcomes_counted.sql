-- What became of every input line, per event type: lines_read = used + duplicates + rejected.
-- The quality gates (every line accounted for, rejection rate under max_rejection_rate) test
-- this model, and the marts wait for those tests: a failing gate exports nothing.

with

lines_read as (

    select
        'reel_watched' as event_type,
        count(*) as lines_read
    from {{ ref('stg_clips__reel_watched') }}
    union all
    select
        'reel_liked' as event_type,
        count(*) as lines_read
    from {{ ref('stg_clips__reel_liked') }}
    union all
    select
        'reel_unliked' as event_type,
        count(*) as lines_read
    from {{ ref('stg_clips__reel_unliked') }}

),

parsed_events as (

    select
        'reel_watched' as event_type,
        reason_code,
        n_copies,
        is_first_copy
    from {{ ref('int_watch_events_validated') }}
    union all
    select
        event_type,
        reason_code,
        n_copies,
        is_first_copy
    from {{ ref('int_reactions_validated') }}

),

parsed_outcomes as (

    select
        event_type,
        -- Each distinct record once (its first copy), as used or rejected; the other copies
        -- are duplicates.
        cast(sum(case when is_first_copy and reason_code is null then 1 else 0 end) as bigint)
            as used,
        cast(sum(n_copies - case when is_first_copy then 1 else 0 end) as bigint) as duplicates,
        cast(sum(case when is_first_copy and reason_code is not null then 1 else 0 end) as bigint)
            as rejected
    from parsed_events
    group by event_type

),

unparsed_outcomes as (

    select
        event_type,
        count(*) as rejected
    from {{ ref('int_unparsed_lines_recovered') }}
    group by event_type

),

counted as (

    select
        lines_read.event_type,
        lines_read.lines_read,
        coalesce(parsed_outcomes.used, 0) as used,
        coalesce(parsed_outcomes.duplicates, 0) as duplicates,
        coalesce(parsed_outcomes.rejected, 0) + coalesce(unparsed_outcomes.rejected, 0) as rejected
    from lines_read
    left join parsed_outcomes
        on lines_read.event_type = parsed_outcomes.event_type
    left join unparsed_outcomes
        on lines_read.event_type = unparsed_outcomes.event_type

)

select * from counted
