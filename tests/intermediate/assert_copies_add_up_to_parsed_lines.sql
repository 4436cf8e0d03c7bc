-- Rule 5, counted: per event type, the copies of the distinct records (sum of n_copies) are
-- exactly the parsed lines of staging. A record lost, counted twice, or an unparsed line let in
-- makes them differ.

with

parsed_lines as (

    select
        'reel_watched' as event_type,
        count(*) as parsed_lines
    from {{ ref('stg_clips__reel_watched') }}
    where not is_unparsed
    union all
    select
        'reel_liked' as event_type,
        count(*) as parsed_lines
    from {{ ref('stg_clips__reel_liked') }}
    where not is_unparsed
    union all
    select
        'reel_unliked' as event_type,
        count(*) as parsed_lines
    from {{ ref('stg_clips__reel_unliked') }}
    where not is_unparsed

),

copies as (

    select
        'reel_watched' as event_type,
        sum(n_copies) as copies
    from {{ ref('int_watch_events_validated') }}
    union all
    select
        event_type,
        sum(n_copies) as copies
    from {{ ref('int_reactions_validated') }}
    group by event_type

),

compared as (

    select
        coalesce(parsed_lines.event_type, copies.event_type) as event_type,
        coalesce(parsed_lines.parsed_lines, 0) as parsed_lines,
        coalesce(copies.copies, 0) as copies
    from parsed_lines
    full outer join copies
        on parsed_lines.event_type = copies.event_type

)

select * from compared
where parsed_lines <> copies
