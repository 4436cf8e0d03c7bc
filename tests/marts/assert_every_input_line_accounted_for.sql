-- Nothing is lost silently: per event type, the lines read equal the lines used plus the exact
-- duplicates plus the lines in rejected_events, and the outcome counts agree with that table.

with

outcomes as (

    select * from {{ ref('int_event_outcomes_counted') }}

),

rejected_rows as (

    select
        event_type,
        count(*) as rejected_rows
    from {{ ref('rejected_events') }}
    group by event_type

)

select
    outcomes.*,
    coalesce(rejected_rows.rejected_rows, 0) as rejected_rows
from outcomes
left join rejected_rows
    on outcomes.event_type = rejected_rows.event_type
where
    outcomes.lines_read
    <> outcomes.used + outcomes.duplicates + coalesce(rejected_rows.rejected_rows, 0)
    or outcomes.rejected <> coalesce(rejected_rows.rejected_rows, 0)
