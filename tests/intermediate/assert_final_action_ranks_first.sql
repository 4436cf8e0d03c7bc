-- Rule 4, recomputed without a window: for every (user, reel) pair with a valid like or unlike,
-- no valid reaction ranks above the one int_reel_actions_latest chose. The winner is found by
-- aggregates: the greatest client timestamp, then among those the greatest server timestamp
-- (NULL lowest), then an unlike if any of the still tied reactions is one. Fails on a pair whose
-- chosen action differs (or is both or neither), and on a pair missing from either side.

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

latest_client as (

    select
        user_uid,
        reel_uid,
        max(client_timestamp_ms) as client_timestamp_ms
    from reactions
    group by user_uid, reel_uid

),

at_latest_client as (

    select reactions.*
    from reactions
    inner join latest_client
        on
            reactions.user_uid = latest_client.user_uid
            and reactions.reel_uid = latest_client.reel_uid
            and reactions.client_timestamp_ms = latest_client.client_timestamp_ms

),

latest_server as (

    select
        user_uid,
        reel_uid,
        max(server_timestamp_ms) as server_timestamp_ms
    from at_latest_client
    group by user_uid, reel_uid

),

expected as (

    select
        at_latest_client.user_uid,
        at_latest_client.reel_uid,
        max(case when at_latest_client.event_type = 'reel_unliked' then 1 else 0 end) = 1
            as is_unlike
    from at_latest_client
    inner join latest_server
        on
            at_latest_client.user_uid = latest_server.user_uid
            and at_latest_client.reel_uid = latest_server.reel_uid
            and (
                at_latest_client.server_timestamp_ms = latest_server.server_timestamp_ms
                or latest_server.server_timestamp_ms is null
            )
    group by at_latest_client.user_uid, at_latest_client.reel_uid

),

compared as (

    select
        coalesce(expected.user_uid, latest.user_uid) as user_uid,
        coalesce(expected.reel_uid, latest.reel_uid) as reel_uid,
        expected.is_unlike as expected_is_unlike,
        latest.is_like,
        latest.is_unlike
    from expected
    full outer join {{ ref('int_reel_actions_latest') }} as latest
        on
            expected.user_uid = latest.user_uid
            and expected.reel_uid = latest.reel_uid

)

select * from compared
where
    not coalesce(
        is_unlike = expected_is_unlike and is_like = (not expected_is_unlike), false
    )
