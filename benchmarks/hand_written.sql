-- The contender `make bench` times the project against: what a data engineer who knows the rules
-- would write instead of a dbt project. One DuckDB script, one COPY; no staging tables, no
-- tests, no quarantine of rejected lines, no incremental state. Same rules, same output: the
-- benchmark checks its Parquet equals the project's user_reel_interest on every size.
--
-- Inputs are DuckDB variables (set with bound parameters, never pasted into this text):
--   watched_files, liked_files, unliked_files  lists of file paths (every file, no glob)
--   rules_file                                  the watch_duration_rules seed (CSV)
--   output_file                                 the Parquet file to write
-- Numbers are exact: durations are integers of 10^-18 s (HUGEINT), never floats. Domain, as the
-- project's: durations below 10^12 s with at most 18 decimals, a pair's watch time below 10^19 s.
-- The interest threshold is the project's default, 60 %.

-- Number texts: JSON's grammar, plus a leading or trailing dot. A plain decimal with at most 18
-- places is cast directly; any other number text (an exponent, trailing zeros) only when the
-- places its exact value needs (1.50e3: none, 1e-7: 7), read off its digits, are few enough.
create or replace temp macro is_number(t) as
    regexp_full_match(t, '-?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,4})?');

create or replace temp macro mantissa_digits(t) as
    replace(regexp_extract(t, '^-?([0-9]*[.]?[0-9]*)', 1), '.', '');

create or replace temp macro number_scale(t) as
    case
        when ltrim(mantissa_digits(t), '0') = '' then 0
        else
            length(regexp_extract(t, '^-?[0-9]*[.]([0-9]*)', 1))
            - coalesce(try_cast(regexp_extract(t, '[eE]([-+]?[0-9]+)$', 1) as int), 0)
            - (length(mantissa_digits(t)) - length(rtrim(mantissa_digits(t), '0')))
    end;

create or replace temp macro exact_decimal(t) as
    case
        when regexp_full_match(t, '-?([0-9]+[.]?[0-9]{0,18}|[.][0-9]{1,18})')
            then try_cast(t as decimal(30, 18))
        when is_number(t) and number_scale(t) <= 18 then try_cast(t as decimal(30, 18))
    end;

-- A duration as a HUGEINT of 10^-18 s: NULL unless the text is a number with at most 18
-- decimals and below 10^12 in magnitude.
create or replace temp macro attoseconds(t) as
    trunc(exact_decimal(trim(t)))::hugeint * 1000000000000000000
    + (exact_decimal(trim(t)) % 1 * 1000000000000000000)::hugeint;

-- An integer in BIGINT range: digits, or any number text whose value is an integer (2.0, 1e3).
create or replace temp macro whole_number(t) as
    case
        when regexp_full_match(trim(t), '-?[0-9]+') then try_cast(trim(t) as bigint)
        when is_number(trim(t)) and number_scale(trim(t)) <= 0
            then try_cast(try_cast(trim(t) as decimal(38, 0)) as bigint)
    end;

-- A version as text whose string order is the numeric order of its parts (2.10 after 2.3,
-- 2.3 = 2.3.0); NULL when it does not parse (a part longer than 20 digits does not).
create or replace temp macro version_key(v) as (
    case
        when regexp_full_match(v, 'v?[0-9]+([.][0-9]+)*')
            and not regexp_matches(regexp_replace(v, '(^|[.])0+', '\1', 'g'), '[0-9]{21}')
            then regexp_replace(
                array_to_string(
                    [lpad(coalesce(nullif(ltrim(p, '0'), ''), '0'), 20, '0')
                        for p in string_split(ltrim(v, 'v'), '.')],
                    '.'
                ),
                '([.]0{20})+$', ''
            )
    end
);

-- A line DuckDB's JSON reader parses but RFC 8259 does not allow: a comma before a closing
-- bracket, or NaN/Infinity. Checked outside strings, and only on lines where a cheap scan
-- finds such a spot at all.
create or replace temp macro lenient_json(j) as (
    case
        when regexp_matches(j, ',[ \t\r\n]*[]}]|[,:\[][ \t\r\n]*-?([Nn][Aa]|[Ii])|^[ \t\r\n]*-?([Nn][Aa]|[Ii])')
            then regexp_matches(
                regexp_replace(j, '"(?:[^"\\]|\\.)*"', '0', 'g'),
                ',[ \t\r\n]*[]}]|[,:\[][ \t\r\n]*-?([Nn][Aa]|[Ii])|^[ \t\r\n]*-?([Nn][Aa]|[Ii])'
            )
        else false
    end
);

-- The lines that are records: strict JSON whose ids, when there, are JSON strings.
create or replace temp macro records(files) as table
    select json
    from read_ndjson_objects(files, ignore_errors = true, hive_partitioning = false)
    where
        json is not null
        and not lenient_json(json)
        and coalesce(json_type(json, '$.user_uid'), 'NULL') in ('VARCHAR', 'NULL')
        and coalesce(json_type(json, '$.reel_uid'), 'NULL') in ('VARCHAR', 'NULL');

copy (
    with

    rules as (
        select
            platform,
            is_app_version_checked,
            watch_duration_semantics,
            version_key(min_app_version) as min_key,
            lead(version_key(min_app_version)) over (
                partition by platform order by version_key(min_app_version)
            ) as next_key
        from read_csv(getvariable('rules_file'), header = true, columns = {
            'platform': 'varchar', 'min_app_version': 'varchar',
            'is_app_version_checked': 'boolean', 'watch_duration_semantics': 'varchar'
        })
    ),

    -- Rule 5: an exact duplicate of a record (every field the same) counts once.
    watched as (
        select distinct
            f[1] as event_name, f[2] as client_timestamp, f[3] as server_timestamp,
            f[4] as user_uid, f[5] as streamer_uid, f[6] as reel_uid, f[7] as category_uid,
            f[8] as origin_platform, f[9] as app_version, f[10] as reel_duration,
            f[11] as reel_watch_duration, f[12] as replay_count
        from (
            select json_extract_string(json, [
                '$.event_name', '$.timestamp', '$.server_timestamp', '$.user_uid',
                '$.streamer_uid', '$.reel_uid', '$.category_uid', '$.origin_platform',
                '$.app_version', '$.reel_duration', '$.reel_watch_duration', '$.replay_count'
            ]) as f
            from records(getvariable('watched_files'))
        )
    ),

    -- Rule 1: what reel_watch_duration means for each (platform, app version), resolved once
    -- per distinct pair rather than per event (materialized: inlined, the optimizer joined the
    -- rules to every event, 50x slower).
    versions as materialized (
        select
            clients.origin_platform,
            clients.app_version,
            rules.watch_duration_semantics as semantics
        from (select distinct origin_platform, app_version from watched) as clients
        inner join rules
            on
                lower(trim(clients.origin_platform)) = rules.platform
                and (
                    not rules.is_app_version_checked
                    or (
                        version_key(clients.app_version) >= rules.min_key
                        and (rules.next_key is null or version_key(clients.app_version) < rules.next_key)
                    )
                )
    ),

    -- Rule 2: a normalized watch time.
    watch_times as (
        select
            watched.user_uid,
            watched.reel_uid,
            attoseconds(watched.reel_duration) as duration,
            attoseconds(watched.reel_watch_duration) as last_or_total,
            whole_number(watched.replay_count) as loops,
            watched.replay_count is not null as has_replay_count,
            versions.semantics
        from watched
        inner join versions
            on
                watched.origin_platform = versions.origin_platform
                and watched.app_version is not distinct from versions.app_version
        where
            trim(watched.user_uid) <> ''
            and trim(watched.reel_uid) <> ''
    ),

    valid_watches as (
        select
            user_uid,
            reel_uid,
            duration,
            case
                when semantics = 'total' then last_or_total
                -- duration * loops + last loop, when it stays below 10^12 s
                when loops = 0 then last_or_total
                when duration <= (1000000000000000000000000000000 - 1 - last_or_total) // loops
                    then duration * loops + last_or_total
            end as seconds
        from watch_times
        where
            duration > 0
            and last_or_total >= 0
            and (not has_replay_count or loops >= 0)
            and (semantics = 'total' or has_replay_count)
    ),

    watch_time as (
        select user_uid, reel_uid, sum(seconds) as watched, max(duration) as duration
        from valid_watches
        where
            seconds is not null
            -- a ratio of 10^18 or more is outside the domain
            and case
                when duration < 1000000000000 then seconds < duration * 1000000000000000000
                else true
            end
        group by user_uid, reel_uid
    ),

    -- Rules 3 and 4: the last valid like or unlike of each pair; at equal timestamps the one
    -- with a server timestamp, then the later server timestamp, then the unlike wins.
    reactions as (
        select distinct
            event_type,
            f[1] as event_name, f[2] as client_timestamp, f[3] as server_timestamp,
            f[4] as user_uid, f[5] as streamer_uid, f[6] as reel_uid, f[7] as category_uid,
            f[8] as origin_platform, f[9] as app_version, f[10] as reel_duration,
            f[11] as action_time
        from (
            select 'reel_liked' as event_type, json_extract_string(json, [
                '$.event_name', '$.timestamp', '$.server_timestamp', '$.user_uid',
                '$.streamer_uid', '$.reel_uid', '$.category_uid', '$.origin_platform',
                '$.app_version', '$.reel_duration', '$.like_time'
            ]) as f
            from records(getvariable('liked_files'))
            union all
            select 'reel_unliked' as event_type, json_extract_string(json, [
                '$.event_name', '$.timestamp', '$.server_timestamp', '$.user_uid',
                '$.streamer_uid', '$.reel_uid', '$.category_uid', '$.origin_platform',
                '$.app_version', '$.reel_duration', '$.unlike_time'
            ]) as f
            from records(getvariable('unliked_files'))
        )
    ),

    latest_actions as (
        select
            user_uid,
            reel_uid,
            max({
                'client': whole_number(client_timestamp),
                'has_server': whole_number(server_timestamp) is not null,
                'server': coalesce(whole_number(server_timestamp), 0),
                'unlike': event_type = 'reel_unliked'
            }).unlike as is_unlike
        from reactions
        where
            trim(user_uid) <> ''
            and trim(reel_uid) <> ''
            and whole_number(client_timestamp) is not null
        group by user_uid, reel_uid
    ),

    pairs as (
        select
            coalesce(w.user_uid, a.user_uid) as user_uid,
            coalesce(w.reel_uid, a.reel_uid) as reel_uid,
            coalesce(not a.is_unlike, false) as liked,
            coalesce(a.is_unlike, false) as unliked,
            w.watched,
            w.duration,
            w.watched // w.duration as quotient,
            w.watched % w.duration * 10000 as rest
        from watch_time as w
        full outer join latest_actions as a
            on w.user_uid = a.user_uid and w.reel_uid = a.reel_uid
    )

    -- Rules 6 and 7: watched / duration to 9 decimals, rounded half up, by integer division;
    -- interested when liked, or watched more than 60 % of the clip, and not unliked.
    select
        user_uid,
        reel_uid,
        liked,
        unliked,
        cast(
            cast(quotient as decimal(28, 0))
            + cast(
                rest // duration * 100000 + (rest % duration * 200000 + duration) // (2 * duration)
                as decimal(10, 0)
            ) * 0.000000001
            as decimal(38, 9)
        ) as watched_ratio,
        not unliked and (liked or coalesce(watched * 10 > duration * 6, false)) as is_interested
    from pairs
) to (getvariable('output_file')) (format parquet, compression zstd);
