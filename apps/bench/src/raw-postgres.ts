import { Client } from 'pg';
import { uuidv7 } from '@nexus/core';

/** A stand-in argon2id PHC string for seeded users: seeding measures nothing, and hashing is slow. */
const FIXED_HASH = `$argon2id$v=19$m=19456,t=2,p=1$${'A'.repeat(22)}$${'B'.repeat(43)}`;

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
