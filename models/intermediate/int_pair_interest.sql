-- Rules 6 and 7 per (user, reel) pair (text: models/_rules__docs.md): the two per-pair states
-- joined, watched_ratio divided and is_interested decided once per pair. Per-pair state: an
-- incremental run recomputes only the pairs whose watch time or final action changed since it
-- last ran (macros/incremental_batches.sql); user_reel_interest shows its contract columns.

with

-- Read by rows_of_pairs on an incremental run only (a full build takes every pair).
changed as (  -- noqa: ST03

    {{ changed_pairs(ref('int_watch_time_summed'), 'last_watch_batch_number') }}
    union
    {{ changed_pairs(ref('int_reel_actions_latest'), 'last_reaction_batch_number') }}

),

watch_time as (

    {{ rows_of_pairs(ref('int_watch_time_summed'), 'changed') }}

),

latest_actions as (

    {{ rows_of_pairs(ref('int_reel_actions_latest'), 'changed') }}

),

pairs as (

    select
        coalesce(watch_time.user_uid, latest_actions.user_uid) as user_uid,
        coalesce(watch_time.reel_uid, latest_actions.reel_uid) as reel_uid,
        coalesce(latest_actions.is_like, false) as liked,
        coalesce(latest_actions.is_unlike, false) as unliked,
        watch_time.watched_seconds,
        watch_time.reel_duration_seconds,
        watch_time.last_batch_number as last_watch_batch_number,
        latest_actions.last_batch_number as last_reaction_batch_number
    from watch_time
    full outer join latest_actions
        on
            watch_time.user_uid = latest_actions.user_uid
            and watch_time.reel_uid = latest_actions.reel_uid

),

final as (

    select
        cast(user_uid as {{ dbt.type_string() }}) as user_uid,
        cast(reel_uid as {{ dbt.type_string() }}) as reel_uid,
        liked,
        unliked,
        {{ decimal_ratio('watched_seconds', 'reel_duration_seconds') }} as watched_ratio,
        not unliked
        and (
            liked
            or coalesce({{ exceeds_fraction_of(
                'watched_seconds', fraction_var('interest_threshold'), 'reel_duration_seconds') }}, false)
        ) as is_interested,
        last_watch_batch_number,
        last_reaction_batch_number
    from pairs

)

select * from final
