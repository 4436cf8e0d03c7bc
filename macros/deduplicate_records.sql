{% macro deduplicate_records(relation, fields) %}
    {#-
        Rule 5, exact duplicates: one row per distinct record of `relation` (a CTE or table with
        the columns `fields` and source_file), with the first source_file in path order and
        n_copies, the number of times it was read. All other columns of `relation` are dropped.

        Exact, but not by grouping every row on every field: a 64-bit hash of the fields, computed
        once per row, finds the few records that may repeat; only those are grouped on the fields
        themselves. A hash collision costs a little time, never a wrong answer. The fields are
        listed in the model, in the order the source declares them.
    -#}
    {%- set field_list = fields | join(', ') -%}
    with

    hashed as (

        select
            {{ field_list }},
            source_file,
            {{ record_hash(fields) }} as record_hash
        from {{ relation }}

    ),

    repeated_hashes as (

        select record_hash
        from hashed
        group by record_hash
        having count(*) > 1

    )

    select
        {{ field_list }},
        source_file,
        1 as n_copies
    from hashed
    where record_hash not in (select record_hash from repeated_hashes)
    union all
    select
        {{ field_list }},
        min(source_file) as source_file,
        count(*) as n_copies
    from hashed
    where record_hash in (select record_hash from repeated_hashes)
    group by {{ field_list }}
{% endmacro %}


{% macro record_hash(fields) %}
    {{ return(adapter.dispatch('record_hash', 'loco_clips')(fields)) }}
{% endmacro %}

{% macro duckdb__record_hash(fields) -%}
    hash({{ fields | join(', ') }})
{%- endmacro %}

{% macro spark__record_hash(fields) -%}
    xxhash64({{ fields | join(', ') }})
{%- endmacro %}
