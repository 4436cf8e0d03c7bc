{% macro deduplicate_records(relation, fields) %}
    {#-
        Rule 5, exact duplicates, file by file: one row per distinct record of each source_file
        of `relation`, with n_copies (its copies in that file), record_hash and is_first_file:
        whether that file is the first, in path order, of the files of `relation` holding the
        record. `relation` is a table or a parenthesised subquery with the columns `fields` and
        source_file; the other columns are dropped. Kept per file so that an incremental run knows every file it has read
        (mark_first_copies tells the copies an earlier run read).

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
        1 as n_copies,
        {{ record_hash(fields) }} as record_hash,
        true as is_first_file
    from {{ relation }} as records
    where {{ record_hash(fields) }} not in (select record_hash from repeated_hashes)
    union all
    select
        {{ field_list }},
        source_file,
        n_copies,
        record_hash,
        source_file = min(source_file) over (partition by record_hash, {{ field_list }})
            as is_first_file
    from (
        select
            {{ field_list }},
            source_file,
            count(*) as n_copies,
            {{ record_hash(fields) }} as record_hash
        from {{ relation }} as records
        where {{ record_hash(fields) }} in (select record_hash from repeated_hashes)
        group by {{ field_list }}, source_file
    ) as repeated_records
{% endmacro %}


{% macro mark_first_copies(records, lines, fields) %}
    {#-
        Rule 5 across runs: the rows of `records` (this run's, from deduplicate_records) with
        is_first_copy: the record's first file in this run (is_first_file), unless a file read
        by an earlier run of the model ({{ this }}) holds it too, which makes this copy a
        duplicate. Exact: the 64-bit hash only finds the candidate lines of those files in
        `lines` (the staging rows, with the columns `fields`, source_file and record_hash, the
        same hash of the same fields: line_record_hash); their fields are then compared. Only a
        record sent again has a candidate (or, once in a long while, a hash collision, which the
        comparison rules out). On a full build every copy is in this run: is_first_file alone.
    -#}
    {%- if not is_incremental() %}
    select
        records.*,
        records.is_first_file as is_first_copy
    from {{ records }} as records
    {%- else %}
    select
        records.*,
        records.is_first_file and held.record_hash is null as is_first_copy
    from {{ records }} as records
    left join (
        select distinct candidates.record_hash
        from {{ records }} as candidates
        inner join (
            select {{ fields | join(', ') }}, record_hash
            from {{ lines }} as lines
            where
                record_hash in (select record_hash from {{ records }})
                and source_file in (select distinct source_file from {{ this }})
        ) as held_copies
            on
                candidates.record_hash = held_copies.record_hash
                {%- for field in fields %}
                and candidates.{{ field }} is not distinct from held_copies.{{ field }}
                {%- endfor %}
    ) as held
        on records.record_hash = held.record_hash
    {%- endif %}
{% endmacro %}


{% macro record_hash(fields) %}
    {{ return(adapter.dispatch('record_hash', 'loco_clips')(fields)) }}
{% endmacro %}


{% macro line_record_hash(event_type) %}
    {#-
        Staging's record_hash of a line: the hash deduplicate_records takes of the validation
        models' columns for the same line (the event type first for likes and unlikes, then the
        fields in the order the source declares them), so mark_first_copies can look a record
        up among the lines already loaded.
    -#}
    {%- set fields = record_fields(event_type) | map(attribute=0) | list -%}
    {%- if event_type != 'reel_watched' -%}
        {%- set fields = [sql_literal(event_type)] + fields -%}
    {%- endif -%}
    {{ return(record_hash(fields)) }}
{% endmacro %}

{% macro duckdb__record_hash(fields) -%}
    hash({{ fields | join(', ') }})
{%- endmacro %}

{% macro spark__record_hash(fields) -%}
    xxhash64({{ fields | join(', ') }})
{%- endmacro %}


{% macro record_key(fields) %}
    {{ return(adapter.dispatch('record_key', 'loco_clips')(fields)) }}
{% endmacro %}

{% macro duckdb__record_key(fields) -%}
    {#- The fields as one text, equal for two records exactly when every field is: a JSON array. -#}
    cast(to_json([{{ fields | join(', ') }}]) as varchar)
{%- endmacro %}

{% macro spark__record_key(fields) -%}
    to_json(array({{ fields | join(', ') }}))
{%- endmacro %}
