-- Rules 3 and 5 for likes and unlikes (text: models/_rules__docs.md). One row per distinct
-- record of each file; valid rows have a NULL reason_code, and the copies of a record after its
-- first (is_first_copy false) count as duplicates. Narrow, like int_watch_events_validated: the
-- raw record is kept for rejected rows only. Incremental like it (macros/incremental_batches.sql).

{%- set columns = ['event_type'] + record_fields('reel_liked') | map(attribute=1) | list %}

{#-
    Subqueries, not CTEs, as in int_watch_events_validated: lines['new'], the lines this run
    validates, and lines['all'], every parsed line, each with record_fields plus event_type.
-#}
{%- set lines = {} %}
{%- for kind in ['new', 'all'] %}
{%- set union %}
    (
        {%- for event_type, action_time in [('reel_liked', 'like_time'), ('reel_unliked', 'unlike_time')] %}
        select
            {{ sql_literal(event_type) }} as event_type,
            source_file,
            record_hash,
            event_name,
            client_timestamp,
            server_timestamp,
            user_uid,
            streamer_uid,
            reel_uid,
            category_uid,
            origin_platform,
            app_version,
            reel_duration,
            {{ action_time }} as action_time
        from {{ ref('stg_clips__' ~ event_type) }}
        where not is_unparsed{% if kind == 'new' %} and {{ not_yet_read() }}{% endif %}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )
{%- endset %}
{%- do lines.update({kind: union}) %}
{%- endfor %}

with

deduplicated as (

    {{ deduplicate_records(lines['new'], columns) }}

),

first_copies as (

    {{ mark_first_copies('deduplicated', lines['all'], columns) }}

),

typed as (

    select
        first_copies.*,
        {{ parse_integer('client_timestamp') }} as client_timestamp_ms,
        {{ parse_integer('server_timestamp') }} as server_timestamp_ms
    from first_copies

),

validated as (

    select
        *,
        case
            when user_uid is null or trim(user_uid) = '' then 'missing_user_uid'
            when reel_uid is null or trim(reel_uid) = '' then 'missing_reel_uid'
            when client_timestamp_ms is null then 'invalid_timestamp'
        end as reason_code
    from typed

),

final as (

    select
        event_type,
        source_file,
        n_copies,
        is_first_copy,
        {{ batch_number() }} as batch_number,
        user_uid,
        reel_uid,
        client_timestamp_ms,
        server_timestamp_ms,
        reason_code,
        case
            when reason_code is null then null
            when event_type = 'reel_liked' then {{ raw_record_json(record_fields('reel_liked')) }}
            else {{ raw_record_json(record_fields('reel_unliked')) }}
        end as raw_record,
        case
            when reason_code is not null
                then {{ record_key(columns) }}
        end as record_key
    from validated

)

select * from final
