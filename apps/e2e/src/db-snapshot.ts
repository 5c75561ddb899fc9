import { Client } from 'pg';

/**
 * Row count and checksum of every table of a schema, to prove that a phase
 * of calls changed nothing. The outbox is left out: the relay deletes its
 * rows in the background, whoever wrote them.
 */
export async function snapshotSchema(schema: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'outbox'
        ORDER BY 1`,
      [schema],
    );
    const result: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const { rows } = await client.query<{ n: string; sum: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY t::text)) AS sum
           FROM "${schema}"."${name}" t`,
      );
      result[name] = `${rows[0].n}:${rows[0].sum ?? '-'}`;
    }
    return result;
  } finally {
    await client.end();
  }
}
