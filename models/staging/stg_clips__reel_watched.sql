with

source as (

    {{ read_raw_events(source('clips', 'reel_watched')) }}

),

renamed as (

    select
        source_file,
        source_file_size,
        source_file_modified_ms,
        load_id,
        event_name,
        timestamp as client_timestamp,
        server_timestamp,
        user_uid,
        streamer_uid,
        reel_uid,
        category_uid,
        origin_platform,
        app_version,
        reel_duration,
        reel_watch_duration,
        replay_count,
        unparsed_json,
        coalesce(
            event_name, timestamp, server_timestamp, user_uid, streamer_uid, reel_uid,
            category_uid, origin_platform, app_version, reel_duration, reel_watch_duration,
            replay_count
        ) is null as is_unparsed,
        -- Finds the lines that may be copies of one another (rule 5), never decides it.
        {{ line_record_hash('reel_watched') }} as record_hash

    from source

)

select * from renamed
