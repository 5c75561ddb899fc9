/**
 * npm start's path (startLocalPlatform, the function tools/start.ts calls) on
 * the run's PostgreSQL and Kafka: every service runs connected as its own role,
 * a role can neither touch another service's schema nor change its own schema's
 * structure, and a write still commits, is relayed and is consumed under the roles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createUsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { commonV1, usersV1 } from '@nexus/proto';
import { freePorts } from '@nexus/stack';
import { EventCollector } from '@nexus/testing';
import { startLocalPlatform, type LocalPlatform, type PlatformApp } from './local-platform';
import { SERVICE_PORTS } from './service-registry';

const dataDir = mkdtempSync(path.join(tmpdir(), 'nexus-platform-'));
const output: string[] = [];
let platform: LocalPlatform;
let admin: Client;

/** Free ports for every app, in place of the registry's fixed ones. */
async function testPorts(): Promise<Record<string, { grpc?: number; http: number }>> {
  const apps = Object.entries(SERVICE_PORTS);
  const free = await freePorts(apps.length * 2);
  return Object.fromEntries(
    apps.map(([app, ports], i) => [
      app,
      { http: free[2 * i], ...(ports.grpc ? { grpc: free[2 * i + 1] } : {}) },
    ]),
  );
}

beforeAll(async () => {
  try {
    platform = await startLocalPlatform({
      env: { ...process.env, BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      dataDir,
      ports: await testPorts(),
      log: (line) => output.push(`[nexus] ${line}`),
      output: (app, line) => output.push(`[${app}] ${line}`),
    });
  } catch (error) {
    throw new Error(`${String(error)}\n${output.slice(-40).join('\n')}`);
  }
  admin = new Client({ connectionString: platform.ownerUrl });
  await admin.connect();
}, 300_000);

afterAll(async () => {
  await admin?.end();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const appNamed = (name: string): PlatformApp => {
  const found = platform.apps.find(({ app }) => app === name);
  if (!found) throw new Error(`npm start ran no ${name}`);
  return found;
};

/** Runs `sql` as `app`'s role; the PostgreSQL error code it fails with, or 'ok'. */
async function asRole(app: PlatformApp, sql: string): Promise<string> {
  const client = new Client({ connectionString: app.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end();
  }
}

it('starts every service with its own role, never the owner, and without migrating', async () => {
  expect(platform.apps.map(({ app }) => app).sort()).toEqual(Object.keys(SERVICE_PORTS).sort());
  const owner = decodeURIComponent(new URL(platform.ownerUrl).username);
  for (const { app, schema, role, env } of platform.apps) {
    expect(role).toBe(`nexus_${schema}`);
    expect(decodeURIComponent(new URL(env.DATABASE_URL ?? '').username)).toBe(role);
    expect(env.MIGRATE_ON_START).toBe('false');
    expect(role).not.toBe(owner);
    // What the server sees: the pool (nexus-<app>) and the outbox relay.
    const sessions = await admin.query<{ application_name: string; usename: string }>(
      `SELECT DISTINCT application_name, usename FROM pg_stat_activity
        WHERE datname = current_database() AND application_name IN ($1, $2)`,
      [`nexus-${app}`, `${schema}-outbox-relay`],
    );
    expect(sessions.rows).toEqual(
      expect.arrayContaining([{ application_name: `nexus-${app}`, usename: role }]),
    );
    expect(sessions.rows.filter((row) => row.usename !== role)).toEqual([]);
  }
  // The relay holds its advisory lock and LISTENs on a session of its own.
  const relay = await admin.query<{ usename: string }>(
    `SELECT usename FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'users-outbox-relay'`,
  );
  expect(relay.rows).toEqual([{ usename: 'nexus_users' }]);
});

it("refuses each role every other service's schema, reading and writing (permission denied)", async () => {
  const refusals: string[] = [];
  for (const own of platform.apps) {
    for (const other of platform.apps.filter((app) => app !== own)) {
      for (const sql of [
        `SELECT count(*) FROM "${other.schema}"."outbox"`,
        `DELETE FROM "${other.schema}"."processed_events"`,
      ]) {
        refusals.push(`${own.role}: ${sql} -> ${await asRole(own, sql)}`);
      }
    }
  }
  expect(refusals.filter((line) => !line.endsWith('-> 42501'))).toEqual([]);
  expect(refusals).toHaveLength(platform.apps.length * (platform.apps.length - 1) * 2);
});

it('refuses each role DDL in its own schema and writes to its migrations table, but not its rows', async () => {
  const outcomes: string[] = [];
  for (const app of platform.apps) {
    const s = `"${app.schema}"`;
    for (const sql of [
      `CREATE TABLE ${s}."intruder" (id int)`,
      `ALTER TABLE ${s}."outbox" ADD COLUMN "intruder" int`,
      `DROP TABLE ${s}."processed_events"`,
      `CREATE INDEX "intruder" ON ${s}."outbox" ("id")`,
      `DELETE FROM ${s}."migrations"`,
      `CREATE TABLE public."intruder" (id int)`,
    ]) {
      outcomes.push(`${app.role}: ${sql} -> ${await asRole(app, sql)}`);
    }
    // Its own rows stay its own: the kit's tables read and written under the role.
    const consumer = `test-${uuidv7()}`;
    outcomes.push(
      `${app.role}: own rows -> ${await asRole(
        app,
        `WITH added AS (INSERT INTO ${s}."processed_events" (consumer, event_id)
           VALUES ('${consumer}', '${uuidv7()}') RETURNING consumer)
         DELETE FROM ${s}."processed_events" WHERE consumer IN (SELECT consumer FROM added)`,
      )}`,
    );
  }
  expect(outcomes.filter((line) => line.includes('own rows') !== line.endsWith('-> ok'))).toEqual(
    [],
  );
  expect(
    outcomes.filter((line) => !line.includes('own rows') && !line.endsWith('-> 42501')),
  ).toEqual([]);
});

it('serves a write under the role: committed, relayed to Kafka and consumed by the other services', async () => {
  const users = appNamed('users');
  const events = await EventCollector.start(['nexus.users.user']);
  const client = createUsersClient({ address: `127.0.0.1:${users.ports.grpc}` });
  try {
    // The first admin npm start creates (the users service serves only callers it knows).
    const { accessToken: token } = await client.authenticate({
      login: users.env.NEXUS_ADMIN_EMAIL as string,
      password: users.env.NEXUS_ADMIN_PASSWORD as string,
    });
    const tag = uuidv7().slice(-12);
    const created = await client.createUser(
      {
        user: usersV1.User.fromPartial({
          email: `roles-${tag}@example.com`,
          username: `roles-${tag}`,
          fullName: `Roles ${tag}`,
          role: commonV1.Role.ROLE_USER,
        }),
        password: 'a-long-enough-password-1',
        requestId: '',
      },
      { token },
    );
    await events.waitFor(
      (all) => all.some((e) => e.subject === created.id && e.type === 'nexus.users.user.created'),
      60_000,
    );
    const [event] = events.about(created.id);
    // Every consumer of users' events records it in its own schema, as its own role.
    const consumers = platform.apps.filter(({ app }) =>
      ['content', 'comms', 'work', 'analytics'].includes(app),
    );
    expect(consumers).toHaveLength(4);
    const recorded = async (schema: string): Promise<boolean> =>
      (
        await admin.query(`SELECT 1 FROM "${schema}"."processed_events" WHERE event_id = $1`, [
          event?.id,
        ])
      ).rowCount === 1;
    // Consumer groups join a shared broker in their own time: wait for all at once.
    const waiting = new Set(consumers.map(({ schema }) => schema));
    const deadline = Date.now() + 90_000;
    while (waiting.size > 0 && Date.now() < deadline) {
      for (const schema of waiting) if (await recorded(schema)) waiting.delete(schema);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect([...waiting]).toEqual([]);
  } finally {
    client.close();
    await events.stop();
  }
}, 180_000);

it('hears from no service that its role lacked a privilege', () => {
  // Background work (relays, consumers, periodic jobs) reports failures in its log only.
  expect(output.filter((line) => /permission denied|must be owner/i.test(line))).toEqual([]);
});
