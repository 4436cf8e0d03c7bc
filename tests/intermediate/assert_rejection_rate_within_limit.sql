{{ config(severity='error') }}
-- Quality gate: fails the build when more than max_rejection_rate of the input lines are rejected.
-- The marts wait for this test, so a failing gate exports nothing.

with

totals as (

    select
        sum(lines_read) as lines_read,
        sum(rejected) as rejected
    from {{ ref('int_event_outcomes_counted') }}

)

select
    rejected,
    lines_read,
    rejected / lines_read as rejection_rate,
    {{ fraction_var('max_rejection_rate') }} as max_rejection_rate
from totals
where rejected > {{ fraction_var('max_rejection_rate') }} * lines_read
