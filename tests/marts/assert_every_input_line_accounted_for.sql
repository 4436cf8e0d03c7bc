-- Nothing is lost silently: per event type, the lines read equal the lines used plus the exact
-- duplicates plus the lines in rejected_events, and the outcome counts agree with that table. An
-- event type that does not add up is named with all five numbers.

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

),

compared as (

    select
        outcomes.event_type,
        outcomes.lines_read,
        outcomes.used,
        outcomes.duplicates,
        outcomes.rejected,
        coalesce(rejected_rows.rejected_rows, 0) as rejected_rows
    from outcomes
    left join rejected_rows
        on outcomes.event_type = rejected_rows.event_type

),

messages as (

    select
        event_type
        || ' lines do not add up: lines_read ' || cast(lines_read as {{ dbt.type_string() }})
        || ', used ' || cast(used as {{ dbt.type_string() }})
        || ', duplicates ' || cast(duplicates as {{ dbt.type_string() }})
        || ', rejected ' || cast(rejected as {{ dbt.type_string() }})
        || ', rows in rejected_events ' || cast(rejected_rows as {{ dbt.type_string() }})
        || ' (lines_read must be used + duplicates + rejected, and rejected the rows in'
        || ' rejected_events)' as message
    from compared
    where
        lines_read <> used + duplicates + rejected_rows
        or rejected <> rejected_rows

),

failures as (

    select {{ dbt.listagg('message', "'; '") }} as message
    from messages

)

select message
from failures
where {{ fail_with('message') }}
