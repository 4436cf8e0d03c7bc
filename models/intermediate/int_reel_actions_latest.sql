-- Rule 4, the final like/unlike action of every pair (text: models/_rules__docs.md).

with

reactions as (

    select
        user_uid,
        reel_uid,
        event_type,
        client_timestamp_ms,
        server_timestamp_ms
    from {{ ref('int_reactions_validated') }}
    where reason_code is null

),

ranked as (

    select
        user_uid,
        reel_uid,
        event_type = 'reel_liked' as is_like,
        event_type = 'reel_unliked' as is_unlike,
        row_number() over (
            partition by user_uid, reel_uid
            order by
                client_timestamp_ms desc,
                server_timestamp_ms desc nulls last,
                event_type = 'reel_unliked' desc
        ) as action_rank
    from reactions

),

latest as (

    select
        user_uid,
        reel_uid,
        is_like,
        is_unlike
    from ranked
    where action_rank = 1

)

select * from latest
