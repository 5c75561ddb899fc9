import { Client } from 'pg';
import { uuidv7 } from '@nexus/core';

/** A stand-in argon2id PHC string: P measures the database, not the hashing. */
const FIXED_HASH = `$argon2id$v=19$m=19456,t=2,p=1$${'A'.repeat(22)}$${'B'.repeat(43)}`;

const USER_COLUMNS = `u.id, u.created_at, u.updated_at, u.version, u.email, u.username,
  u.password_hash, u.full_name, u.role, u.preferences, u.is_active, u.email_verified,
  s.last_login_at, s.failed_login_count`;

/** A user resource in its event form, the size of what the service writes to the outbox. */
export function userEventPayload(id: string, email: string, username: string): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    before: null,
    after: {
      id,
      email,
      username,
      fullName: 'Bench User',
      role: 'ROLE_USER',
      preferences: {},
      isActive: true,
      emailVerified: false,
      createTime: now,
      updateTime: now,
      etag: `"1"`,
    },
    changed: ['createTime', 'email', 'fullName', 'id', 'isActive', 'role', 'username'],
    actor: null,
  });
}

/**
 * The database half of the physical limit H: one connection per caller,
 * named prepared statements (parsed and planned once per connection), and
 * nothing else: the same row read for GetUser (with its sign-in state, which
 * an admin sees), the same row plus outbox row written in one transaction for
 * CreateUser.
 */
export class RawUsersSql {
  private constructor(private readonly clients: Client[]) {}

  static async connect(databaseUrl: string, connections: number): Promise<RawUsersSql> {
    const clients = await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = new Client({ connectionString: databaseUrl, application_name: 'bench-raw' });
        await client.connect();
        return client;
      }),
    );
    return new RawUsersSql(clients);
  }

  private client(worker: number): Client {
    return this.clients[worker % this.clients.length];
  }

  async getUser(worker: number, id: string): Promise<void> {
    const { rowCount } = await this.client(worker).query({
      name: 'bench-get-user',
      text: `SELECT ${USER_COLUMNS} FROM "users"."users" u
               LEFT JOIN "users"."sign_in_states" s ON s.user_id = u.id WHERE u.id = $1`,
      values: [id],
    });
    if (rowCount !== 1) throw new Error(`user ${id} not found`);
  }

  async createUser(worker: number, tag: string): Promise<void> {
    const client = this.client(worker);
    const id = uuidv7();
    const email = `raw-${tag}@bench.example`;
    const username = `raw-${tag}`;
    await client.query('BEGIN');
    try {
      await client.query({
        name: 'bench-insert-user',
        text: `INSERT INTO "users"."users" (id, version, email, username, password_hash, full_name,
                 role, preferences, is_active, email_verified)
               VALUES ($1, 1, $2, $3, $4, 'Bench User', 'user', '{}', true, false)`,
        values: [id, email, username, FIXED_HASH],
      });
      await client.query({
        name: 'bench-insert-outbox',
        text: `INSERT INTO "users"."outbox" (event_id, topic, message_key, type, source, time, payload)
               VALUES ($1, 'nexus.users.user', $2, 'nexus.users.user.created', '/nexus/users', now(), $3)`,
        values: [uuidv7(), id, userEventPayload(id, email, username)],
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.end()));
  }
}

/** Inserts `count` users straight into the table; returns their ids. */
export async function seedUsers(
  databaseUrl: string,
  count: number,
  tag: string,
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => uuidv7());
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "users"."users" (id, version, email, username, password_hash, full_name, role)
       SELECT id, 1, 'seed-' || $2 || '-' || n || '@bench.example', 'seed-' || $2 || '-' || n,
              $3, 'Seed User ' || n, 'user'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, tag, FIXED_HASH],
    );
  } finally {
    await client.end();
  }
  return ids;
}

/**
 * Bulk-loads `rows` users for the paging benchmark in one server-side
 * statement per chunk, one second apart in created_at so the order is total.
 */
export async function bulkLoadUsers(
  databaseUrl: string,
  rows: number,
  onProgress: (done: number) => void,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const chunk = 100_000;
    for (let from = 1; from <= rows; from += chunk) {
      const to = Math.min(rows, from + chunk - 1);
      await client.query(
        `INSERT INTO "users"."users" (id, created_at, updated_at, version, email, username,
           password_hash, full_name, role)
         SELECT gen_random_uuid(), timestamptz '2020-01-01' + n * interval '1 second',
                timestamptz '2020-01-01' + n * interval '1 second', 1,
                'list-' || n || '@bench.example', 'list-' || n, $3, 'List User ' || n, 'user'
           FROM generate_series($1::int, $2::int) AS n`,
        [from, to, FIXED_HASH],
      );
      onProgress(to);
    }
    await client.query('ANALYZE "users"."users"');
  } finally {
    await client.end();
  }
}
