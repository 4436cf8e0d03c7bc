-- The lines the JSON reader returned with every field NULL, read again as text from the few
-- files that have them, so rejected_events can show the line and say why it was not used:
-- malformed_json, not_a_json_object, missing_user_uid (an object with no known field), or
-- invalid_user_uid / invalid_reel_uid (an id there but not a JSON string).

with

reel_watched_lines as (

    {{ read_unparsed_lines(ref('stg_clips__reel_watched'), 'reel_watched') }}

),

reel_liked_lines as (

    {{ read_unparsed_lines(ref('stg_clips__reel_liked'), 'reel_liked') }}

),

reel_unliked_lines as (

    {{ read_unparsed_lines(ref('stg_clips__reel_unliked'), 'reel_unliked') }}

),

recovered as (

    select * from reel_watched_lines
    union all
    select * from reel_liked_lines
    union all
    select * from reel_unliked_lines

)

select * from recovered
