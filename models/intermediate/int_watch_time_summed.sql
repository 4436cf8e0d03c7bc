{{ config(materialized='view') }}
-- Rule 6's two sides per pair (text: models/_rules__docs.md); user_reel_interest divides.
-- A view: only user_reel_interest reads it, and writing ~1 row per event as a table cost more
-- than the aggregation it saves.

with

watch_events as (

    select
        user_uid,
        reel_uid,
        normalized_watch_seconds,
        reel_duration_seconds
    from {{ ref('int_watch_events_validated') }}
    where reason_code is null

),

summed as (

    select
        user_uid,
        reel_uid,
        sum(normalized_watch_seconds) as watched_seconds,
        max(reel_duration_seconds) as reel_duration_seconds,
        count(*) as watch_events
    from watch_events
    group by user_uid, reel_uid

)

select * from summed
