-- Every line the JSON reader returned without fields was found again in the text of its file,
-- one for one: the text re-read and the JSON reader agree on what an unparsable line is. A file
-- that disagrees is named with its numbers: "3 unparsed lines of <file> not recovered".

with

unparsed_lines as (

    select
        'reel_watched' as event_type,
        source_file
    from {{ ref('stg_clips__reel_watched') }}
    where is_unparsed
    union all
    select
        'reel_liked' as event_type,
        source_file
    from {{ ref('stg_clips__reel_liked') }}
    where is_unparsed
    union all
    select
        'reel_unliked' as event_type,
        source_file
    from {{ ref('stg_clips__reel_unliked') }}
    where is_unparsed

),

unparsed_per_file as (

    select
        event_type,
        source_file,
        count(*) as unparsed_rows
    from unparsed_lines
    group by event_type, source_file

),

recovered_per_file as (

    select
        event_type,
        source_file,
        count(*) as recovered_lines
    from {{ ref('int_unparsed_lines_recovered') }}
    group by event_type, source_file

),

mismatched as (

    select
        coalesce(unparsed_per_file.event_type, recovered_per_file.event_type) as event_type,
        coalesce(unparsed_per_file.source_file, recovered_per_file.source_file) as source_file,
        coalesce(unparsed_per_file.unparsed_rows, 0) as unparsed_rows,
        coalesce(recovered_per_file.recovered_lines, 0) as recovered_lines
    from unparsed_per_file
    full outer join recovered_per_file
        on
            unparsed_per_file.event_type = recovered_per_file.event_type
            and unparsed_per_file.source_file = recovered_per_file.source_file

),

messages as (

    select
        case
            when unparsed_rows > recovered_lines
                then cast(unparsed_rows - recovered_lines as {{ dbt.type_string() }})
                    || ' unparsed lines of ' || source_file || ' not recovered'
            else cast(recovered_lines - unparsed_rows as {{ dbt.type_string() }})
                || ' lines of ' || source_file || ' recovered but not unparsed'
        end
        || ' (' || event_type || ': '
        || cast(unparsed_rows as {{ dbt.type_string() }}) || ' unparsed, '
        || cast(recovered_lines as {{ dbt.type_string() }}) || ' recovered)' as message
    from mismatched
    where unparsed_rows <> recovered_lines

),

collected as (

    select
        count(*) as files,
        {{ dbt.listagg('message', "'; '", limit_num=10) }} as messages
    from messages

),

failures as (

    select
        files,
        messages
        || case
            when files > 10
                then '; ' || cast(files as {{ dbt.type_string() }}) || ' files disagree in all'
            else ''
        end as message
    from collected

)

select
    files,
    message
from failures
where {{ fail_with('message') }}
