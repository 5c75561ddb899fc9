-- One login role per service, wherever the platform runs (npm start, the
-- docker-compose migrate service, the Kubernetes migrate Job). Each role may
-- read and write the rows of its own schema and nothing else: it owns nothing,
-- so it cannot create, alter or drop tables (the migrations do that, as the
-- owner), and it has no privilege on any other service's schema.
--
-- Run it as the owner that runs the migrations (a superuser, or a user with
-- CREATEROLE that owns the schemas), after the migrations, in the platform's
-- database. `nexus db roles` (tools/cli/db-roles.ts) and npm start run it and
-- then set each role's password; by hand:
--   psql "$DATABASE_URL" -f infra/db/roles.sql
--   psql "$DATABASE_URL" -c "ALTER ROLE nexus_users PASSWORD '...'"
-- Idempotent: rerun it after every migration run (new tables are covered by the
-- default privileges below anyway; a new service needs its row in the list).
-- Role names are cluster-wide; the grants are per database.

-- Nobody but the owner may create in or use the public schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE
  pair text[];
  role_name text;
  schema_name text;
BEGIN
  FOREACH pair SLICE 1 IN ARRAY ARRAY[
    ['nexus_users', 'users'],
    ['nexus_content', 'content'],
    ['nexus_comms', 'comms'],
    ['nexus_work', 'work'],
    ['nexus_ai_usage', 'ai_usage'],
    ['nexus_analytics', 'analytics']
  ] LOOP
    role_name := pair[1];
    schema_name := pair[2];
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format(
          'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION',
          role_name);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by a run against another database of the cluster
      END;
    ELSE
      -- Only a superuser may name the SUPERUSER or REPLICATION attributes, so an
      -- existing role is re-checked for the rest only.
      EXECUTE format('ALTER ROLE %I LOGIN NOCREATEDB NOCREATEROLE NOINHERIT', role_name);
    END IF;

    -- The schema belongs to the owner (an earlier version of this file gave it
    -- to the service's role, which let the service run DDL).
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);
    EXECUTE format('ALTER SCHEMA %I OWNER TO CURRENT_USER', schema_name);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', schema_name);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', schema_name, role_name);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, role_name);

    -- Rows, not structure: no REFERENCES or TRIGGER (TRUNCATE stays: analytics'
    -- rebuild empties its read models with it). The outbox, request_ids and
    -- processed_events tables of the kit are tables of the schema like the rest.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', schema_name, role_name);
    EXECUTE format(
      'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %I TO %I',
      schema_name, role_name);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', schema_name, role_name);
    EXECUTE format(
      'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_name, role_name);
    EXECUTE format(
      'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', schema_name, role_name);
    -- What later migrations create, as the same owner, is granted the same way.
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM %I',
      schema_name, role_name);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO %I',
      schema_name, role_name);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM %I',
      schema_name, role_name);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I',
      schema_name, role_name);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT EXECUTE ON FUNCTIONS TO %I',
      schema_name, role_name);

    -- The migrations table is the owner's record: the service reads it for
    -- /readyz (migrations current) and never writes it.
    IF to_regclass(format('%I.migrations', schema_name)) IS NOT NULL THEN
      EXECUTE format(
        'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I.migrations FROM %I',
        schema_name, role_name);
    END IF;

    EXECUTE format('ALTER ROLE %I SET search_path = %I', role_name, schema_name);
  END LOOP;
END
$$;
