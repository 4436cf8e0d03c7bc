-- Rule 6's two sides per pair (text: models/_rules__docs.md); int_pair_interest divides.
-- Per-pair state: an incremental run adds the watch events of the batches it has not applied
-- to what it held for the pairs they touch (sums add, the largest duration stays the largest),
-- exactly, without reading the history (macros/incremental_batches.sql).

with

watch_events as (

    select
        user_uid,
        reel_uid,
        normalized_watch_seconds,
        reel_duration_seconds,
        batch_number
    from {{ ref('int_watch_events_validated') }}
    where reason_code is null and is_first_copy and {{ not_yet_applied() }}

),

summed as (

    select
        user_uid,
        reel_uid,
        sum(normalized_watch_seconds) as watched_seconds,
        max(reel_duration_seconds) as reel_duration_seconds,
        count(*) as watch_events,
        max(batch_number) as last_batch_number
    from watch_events
    group by user_uid, reel_uid

),

applied as (

    {{ applied_rows('summed') }}

),

merged as (

    select
        user_uid,
        reel_uid,
        sum(watched_seconds) as watched_seconds,
        max(reel_duration_seconds) as reel_duration_seconds,
        cast(sum(watch_events) as bigint) as watch_events,
        max(last_batch_number) as last_batch_number
    from (
        select * from summed
        union all
        select * from applied
    ) as sums
    group by user_uid, reel_uid

)

select * from merged
