-- Rule 4, the final like/unlike action of every pair (text: models/_rules__docs.md). Per-pair
-- state: it keeps the action's ordering keys, so an incremental run ranks the new batches'
-- reactions of a pair together with the action chosen before, without reading the history
-- (macros/incremental_batches.sql).

with

reactions as (

    select
        user_uid,
        reel_uid,
        event_type = 'reel_liked' as is_like,
        event_type = 'reel_unliked' as is_unlike,
        client_timestamp_ms,
        server_timestamp_ms,
        batch_number as last_batch_number
    from {{ ref('int_reactions_validated') }}
    where reason_code is null and {{ not_yet_applied() }}

),

applied as (

    {{ applied_rows('reactions') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_uid, reel_uid
            order by
                client_timestamp_ms desc,
                server_timestamp_ms desc nulls last,
                is_unlike desc
        ) as action_rank,
        max(last_batch_number) over (partition by user_uid, reel_uid) as last_applied
    from (
        select * from reactions
        union all
        select * from applied
    ) as candidates

),

latest as (

    select
        user_uid,
        reel_uid,
        is_like,
        is_unlike,
        client_timestamp_ms,
        server_timestamp_ms,
        last_applied as last_batch_number
    from ranked
    where action_rank = 1

)

select * from latest
