-- Every (origin_platform, app_version) pair seen in watch events, resolved once against the
-- watch_duration_rules seed: is the platform known, does the version parse, and what does
-- reel_watch_duration mean for it. Versions are parsed per distinct value, not per event.

with

rules as (

    select * from {{ ref('watch_duration_rules') }}

),

watched as (

    select
        origin_platform,
        app_version
    from {{ ref('stg_clips__reel_watched') }}
    where not is_unparsed

),

rule_ranges as (

    select
        platform,
        is_app_version_checked,
        watch_duration_semantics,
        {{ app_version_sort_key('min_app_version') }} as min_version_key,
        lead({{ app_version_sort_key('min_app_version') }}) over (
            partition by platform
            order by {{ app_version_sort_key('min_app_version') }}
        ) as next_min_version_key
    from rules

),

known_platforms as (

    select
        platform,
        bool_or(is_app_version_checked) as is_app_version_checked
    from rules
    group by platform

),

distinct_versions as (

    select distinct
        origin_platform,
        app_version
    from watched

),

app_versions as (

    select
        origin_platform,
        app_version,
        lower(trim(origin_platform)) as platform,
        {{ app_version_sort_key('app_version') }} as version_key
    from distinct_versions

),

resolved as (

    select
        app_versions.origin_platform,
        app_versions.app_version,
        app_versions.platform,
        app_versions.version_key,
        known_platforms.platform is not null as is_known_platform,
        rule_ranges.platform is not null as has_rule,
        coalesce(known_platforms.is_app_version_checked, false) as is_app_version_checked,
        rule_ranges.watch_duration_semantics
    from app_versions
    left join known_platforms
        on app_versions.platform = known_platforms.platform
    left join rule_ranges
        on
            app_versions.platform = rule_ranges.platform
            and (
                not rule_ranges.is_app_version_checked
                or (
                    app_versions.version_key >= rule_ranges.min_version_key
                    and (
                        rule_ranges.next_min_version_key is null
                        or app_versions.version_key < rule_ranges.next_min_version_key
                    )
                )
            )

)

select * from resolved
