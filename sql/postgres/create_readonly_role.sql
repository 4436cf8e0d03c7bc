-- Read-only access to user_reel_interest: the role other teams get.
--
-- Run it once per database, as a superuser or the database owner, with psql (re-running is safe):
--
--   psql "$ADMIN_DSN" -v ON_ERROR_STOP=1 \
--       -v reader=loco_reader -v reader_password="$READER_PASSWORD" \
--       -v loader=loco_loader -v schema=public \
--       -f sql/postgres/create_readonly_role.sql
--
-- Variables (all optional but loader):
--   reader           name of the read-only role (default loco_reader)
--   reader_password  give it to make the role a login role; leave it out to make a group role
--                    and grant it to each team's own login (grant loco_reader to team_x)
--   loader           the role the Airflow connection loco_postgres logs in as (it creates the
--                    table at each load)
--   schema           schema of the table (default public, as the DAG param pg_schema)
--
-- What the reader gets: CONNECT on the database, USAGE on the schema, SELECT on the table and
-- nothing else (no INSERT/UPDATE/DELETE/TRUNCATE, no CREATE), and its sessions start read-only.
-- Each load replaces the table by a new one (see loco_clips/load.py): the loader copies the
-- grants of the old table onto the new one, and the default privileges below cover the very
-- first load, so this script can run before or after the table exists.
-- Caveat: these default privileges give the reader SELECT on every table the loader creates in
-- this schema; give the loader no other tables there (or a schema of its own).

\set ON_ERROR_STOP on
\if :{?reader}
\else
    \set reader loco_reader
\endif
\if :{?schema}
\else
    \set schema public
\endif
\if :{?loader}
\else
    do $$ begin raise exception 'missing psql variable: -v loader=<role of loco_postgres>'; end $$;
\endif

-- The role, created once; the password (if any) is set on every run.
select format('create role %I nologin', :'reader')
where not exists (select from pg_roles where rolname = :'reader')
\gexec
\if :{?reader_password}
    select format('alter role %I login password %L', :'reader', :'reader_password')
    \gexec
\endif
select format('alter role %I set default_transaction_read_only = on', :'reader')
\gexec

-- Reach the database and the schema, read the table and nothing more.
select format('grant connect on database %I to %I', current_database(), :'reader')
\gexec
select format('grant usage on schema %I to %I', :'schema', :'reader')
\gexec
select format('grant select on table %I.user_reel_interest to %I', :'schema', :'reader')
where to_regclass(format('%I.user_reel_interest', :'schema')) is not null
\gexec
select format(
    'alter default privileges for role %I in schema %I grant select on tables to %I',
    :'loader', :'schema', :'reader'
)
\gexec
