/**
 * Each service's own database role (infra/db/roles.sql): created or updated by
 * the owner that runs the migrations, allowed the rows of its own schema and
 * nothing else. npm start, `nexus db roles` (compose's migrate service, the
 * Kubernetes migrate Job) and the e2e tests all provision through here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresConnection } from '@nexus/config';
import { rolePasswords } from './role-passwords';
import { scramVerifier } from './scram-verifier';

/**
 * Beside the source rather than found through nx.json: the images hold
 * libs/ and infra/db but no nx.json (Dockerfile).
 */
const ROLES_SQL = join(__dirname, '..', '..', '..', 'infra', 'db', 'roles.sql');

/** The role of the service that owns `schema`: users -> nexus_users, ai_usage -> nexus_ai_usage. */
export function serviceRoleName(schema: string): string {
  return `nexus_${schema}`;
}

/** The owner's URL with the service's role and password in place of the owner's. */
export function serviceDatabaseUrl(ownerUrl: string, schema: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = serviceRoleName(schema);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** PostgreSQL's answers that mean another run changed the same role at the same moment. */
function isConcurrentRoleChange(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    code === '40001' ||
    code === '40P01' ||
    code === '23505' ||
    (code === 'XX000' && /concurrently/.test(message ?? ''))
  );
}

/**
 * Runs roles.sql as the owner behind `ownerUrl` (creating the roles, granting
 * each its own schema's rows), then sets the password of each schema given in
 * `passwords`. Every schema of `schemas` must have come out with its role
 * able to use it: one without a row in roles.sql is refused, so a new service
 * cannot silently run without its role. Passwords go to the server as SCRAM
 * verifiers: the plain text never reaches a statement (or a log of one).
 */
export async function applyServiceRoles(
  ownerUrl: string,
  schemas: readonly string[],
  passwords: Readonly<Record<string, string>>,
): Promise<void> {
  const sql = readFileSync(ROLES_SQL, 'utf8');
  // sslmode as libpq reads it, like the services' own connections.
  const client = new Client({ ...postgresConnection(ownerUrl), application_name: 'nexus-roles' });
  await client.connect();
  try {
    // Roles are cluster-wide: runs against other databases of the same server
    // (parallel test runs, two checkouts) may update the same role at once.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.query(sql);
        await refuseMissingRoles(client, [...schemas, ...Object.keys(passwords)]);
        for (const [schema, password] of Object.entries(passwords)) {
          const role = serviceRoleName(schema);
          await client.query(
            `ALTER ROLE ${client.escapeIdentifier(role)} PASSWORD ${client.escapeLiteral(scramVerifier(password))}`,
          );
        }
        return;
      } catch (error) {
        if (attempt >= 5 || !isConcurrentRoleChange(error))
          throw describeRoleError(error, ownerUrl);
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
      }
    }
  } finally {
    await client.end();
  }
}

/** Fails naming every schema whose role roles.sql did not set up (no role, or no USAGE). */
async function refuseMissingRoles(client: Client, schemas: readonly string[]): Promise<void> {
  const { rows } = await client.query<{ schema: string }>(
    `SELECT schema FROM unnest($1::text[]) AS schema
      WHERE NOT CASE
        WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'nexus_' || schema)
         AND EXISTS (SELECT FROM pg_namespace WHERE nspname = schema)
        THEN has_schema_privilege('nexus_' || schema, schema, 'USAGE')
        ELSE false END`,
    [[...new Set(schemas)]],
  );
  if (rows.length > 0)
    throw new Error(
      `infra/db/roles.sql sets up no role for ${rows.map((r) => `${r.schema} (${serviceRoleName(r.schema)})`).join(', ')}: add a row for each`,
    );
}

/** A refusal worded for the person who chose the owner, without its password. */
function describeRoleError(error: unknown, ownerUrl: string): Error {
  const { code, message } = error as { code?: string; message?: string };
  if (code !== '42501') return error instanceof Error ? error : new Error(String(error));
  const owner = decodeURIComponent(new URL(ownerUrl).username);
  return new Error(
    `cannot set up the services' database roles as "${owner}": ${message}. ` +
      'The DATABASE_URL user must own the schemas and have CREATEROLE (or be a superuser).',
  );
}

/**
 * npm start's and the e2e tests' roles: every schema's role with a password
 * derived from the owner's (role-passwords.ts), provisioned by the owner.
 * Returns each schema's DATABASE_URL for its service.
 */
export async function provisionServiceRoles(
  ownerUrl: string,
  schemas: readonly string[],
  secretDir?: string,
): Promise<Record<string, string>> {
  const byRole = rolePasswords(ownerUrl, schemas.map(serviceRoleName), secretDir);
  const passwords = Object.fromEntries(
    schemas.map((schema) => [schema, byRole[serviceRoleName(schema)]]),
  );
  await applyServiceRoles(ownerUrl, schemas, passwords);
  return Object.fromEntries(
    schemas.map((schema) => [schema, serviceDatabaseUrl(ownerUrl, schema, passwords[schema])]),
  );
}
