-- Every line the JSON reader returned without fields was found again in the text of its file,
-- one for one: the text re-read and the JSON reader agree on what an unparsable line is.

with

{% for event_type in ['reel_watched', 'reel_liked', 'reel_unliked'] %}
{{ event_type }}_unparsed as (

    select
        '{{ event_type }}' as event_type,
        source_file
    from {{ ref('stg_clips__' ~ event_type) }}
    where is_unparsed

),

{% endfor %}
unparsed_per_file as (

    select
        event_type,
        source_file,
        count(*) as unparsed_rows
    from (
        select * from reel_watched_unparsed
        union all
        select * from reel_liked_unparsed
        union all
        select * from reel_unliked_unparsed
    )
    group by event_type, source_file

),

recovered_per_file as (

    select
        event_type,
        source_file,
        count(*) as recovered_lines
    from {{ ref('int_unparsed_lines_recovered') }}
    group by event_type, source_file

)

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
where coalesce(unparsed_per_file.unparsed_rows, 0) <> coalesce(recovered_per_file.recovered_lines, 0)
