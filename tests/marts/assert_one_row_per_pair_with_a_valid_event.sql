-- The mart's grain, counted: its pairs are exactly the distinct (user_uid, reel_uid) pairs with at
-- least one valid watch, like or unlike event. Returns the three counts when a pair is missing
-- from the mart or a mart pair has no valid event.

with

valid_pairs as (

    select
        user_uid,
        reel_uid
    from {{ ref('int_watch_events_validated') }}
    where reason_code is null
    union
    select
        user_uid,
        reel_uid
    from {{ ref('int_reactions_validated') }}
    where reason_code is null

),

mart_pairs as (

    select
        user_uid,
        reel_uid
    from {{ ref('user_reel_interest') }}

),

counts as (

    select
        (select count(*) from valid_pairs) as valid_pairs,
        (select count(*) from mart_pairs) as mart_rows,
        (
            select count(*)
            from valid_pairs
            inner join mart_pairs
                on
                    valid_pairs.user_uid = mart_pairs.user_uid
                    and valid_pairs.reel_uid = mart_pairs.reel_uid
        ) as valid_pairs_in_mart

)

select * from counts
where valid_pairs <> mart_rows or valid_pairs <> valid_pairs_in_mart
