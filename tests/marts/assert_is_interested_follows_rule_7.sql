-- Rule 7, both ways, on the exact sums: is_interested is true exactly when the pair is not
-- unliked and is liked or watched more than interest_threshold (var) of the clip, compared as
-- watched_seconds > threshold * reel_duration_seconds from int_watch_time_summed (the mart keeps
-- only the rounded ratio, which cannot tell 0.6000000001 from 0.6).

with

limits as (

    select
        {{ fraction_var('interest_threshold') }} as interest_threshold

),

expected as (

    select
        interest.user_uid,
        interest.reel_uid,
        interest.is_interested,
        not interest.unliked
        and (
            interest.liked
            or coalesce(
                watch_time.watched_seconds
                > limits.interest_threshold
                * cast(watch_time.reel_duration_seconds as decimal(20, 6)),
                false
            )
        ) as expected_is_interested
    from {{ ref('user_reel_interest') }} as interest
    cross join limits
    left join {{ ref('int_watch_time_summed') }} as watch_time
        on
            interest.user_uid = watch_time.user_uid
            and interest.reel_uid = watch_time.reel_uid

)

select * from expected
where is_interested is distinct from expected_is_interested
