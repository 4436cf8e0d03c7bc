with

source as (

    {{ read_raw_events(source('clips', 'reel_unliked')) }}

),

renamed as (

    select
        source_file,
        source_file_size,
        source_file_modified_ms,
        load_id,
        {{ staged_fields('reel_unliked') }}
        unparsed_json,
        {{ no_field_parsed('reel_unliked') }} as is_unparsed,
        -- Finds the lines that may be copies of one another (rule 5), never decides it.
        {{ line_record_hash('reel_unliked') }} as record_hash

    from source

)

select * from renamed
