{{
    config(
        contract={'enforced': true},
    )
}}
-- Waits for the quality gates on: {{ ref('int_event_outcomes_counted') }}

with

watch_time as (

    select * from {{ ref('int_watch_time_summed') }}

),

latest_actions as (

    select * from {{ ref('int_reel_actions_latest') }}

),

pairs as (

    select
        coalesce(watch_time.user_uid, latest_actions.user_uid) as user_uid,
        coalesce(watch_time.reel_uid, latest_actions.reel_uid) as reel_uid,
        coalesce(latest_actions.is_like, false) as liked,
        coalesce(latest_actions.is_unlike, false) as unliked,
        watch_time.watched_seconds,
        watch_time.reel_duration_seconds
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
        ) as is_interested
    from pairs

)

select * from final
