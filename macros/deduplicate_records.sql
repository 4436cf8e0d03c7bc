{% macro deduplicate_records(relation, fields) %}
    {#-
        Rule 5, exact duplicates: one row per distinct record of `relation`, with the first
        source_file in path order and n_copies, the number of times it was read. `relation` is a
        table or a parenthesised subquery with the columns `fields` and source_file; the other
        columns are dropped.

        Exact, but not by grouping every row on every field: a 64-bit hash of the fields finds
        the few records that may repeat; only those are grouped on the fields themselves. A hash
        collision costs a little time, never a wrong answer. `relation` is scanned three times
        rather than put in a CTE: DuckDB materialises a CTE that is read more than once, which
        was slower than the scans and would hold every row in memory.
    -#}
    {%- set field_list = fields | join(', ') -%}
    with

    repeated_hashes as (

        select {{ record_hash(fields) }} as record_hash
        from {{ relation }} as records
        group by {{ record_hash(fields) }}
        having count(*) > 1

    )

    select
        {{ field_list }},
        source_file,
        1 as n_copies
    from {{ relation }} as records
    where {{ record_hash(fields) }} not in (select record_hash from repeated_hashes)
    union all
    select
        {{ field_list }},
        min(source_file) as source_file,
        count(*) as n_copies
    from {{ relation }} as records
    where {{ record_hash(fields) }} in (select record_hash from repeated_hashes)
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
