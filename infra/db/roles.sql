-- One login role per service (production configuration). Each role owns its
-- own schema and everything in it, and has no privilege anywhere else: a
-- compromised or buggy service cannot read another service's data.
-- Run as a superuser after the migrations, in the platform's database:
--   psql "$DATABASE_URL" -f infra/db/roles.sql
-- then set each role's password (ALTER ROLE nexus_users PASSWORD '...') and
-- give the service its own DATABASE_URL. Idempotent: safe to rerun.

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
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', role_name);
    END IF;
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', schema_name);
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', schema_name, role_name);
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', schema_name, role_name);
    -- Tables a superuser's migration created become the service's own.
    EXECUTE format(
      'GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA %I TO %I', schema_name, role_name);
    EXECUTE format(
      'GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_name, role_name);
    EXECUTE format(
      'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', schema_name, role_name);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON TABLES TO %I', schema_name, role_name);
    EXECUTE format(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON SEQUENCES TO %I', schema_name, role_name);
    EXECUTE format('ALTER ROLE %I SET search_path = %I', role_name, schema_name);
  END LOOP;
END
$$;
