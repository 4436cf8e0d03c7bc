{{ config(severity='error') }}
-- Quality gate: fails the build when more than max_rejection_rate of an event type's lines are
-- rejected, and says so: "rejected 44.7 % of reel_watched lines (447 of 1000; limit 10 %)", one
-- message per event type over the limit. The marts wait for this test, so a failing gate exports
-- nothing.

with

limits as (

    select
        {{ fraction_var('max_rejection_rate') }} as max_rejection_rate

),

over_limit as (

    select
        outcomes.event_type,
        'rejected '
        || {{ percent_text('outcomes.rejected', 'outcomes.lines_read') }}
        || ' % of ' || outcomes.event_type || ' lines ('
        || cast(outcomes.rejected as {{ dbt.type_string() }}) || ' of '
        || cast(outcomes.lines_read as {{ dbt.type_string() }}) || '; limit '
        || {{ decimal_text('limits.max_rejection_rate * 100') }} || ' %)' as message
    from {{ ref('int_event_outcomes_counted') }} as outcomes
    cross join limits
    where outcomes.rejected > limits.max_rejection_rate * outcomes.lines_read

),

failures as (

    select {{ dbt.listagg('message', "'; '") }} as message
    from over_limit

)

select message
from failures
where {{ fail_with('message') }}
