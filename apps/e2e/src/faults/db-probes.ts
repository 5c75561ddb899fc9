import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { GRPC_SERVICES, SERVICE_PROTOS } from '../platform';

/**
 * Questions the faults run asks PostgreSQL directly. Each opens its own
 * short connection, so a probe works across a database restart.
 */
export async function query<R extends object>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'faults-probe' });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Rows waiting in each service's outbox. */
export async function outboxBacklog(databaseUrl: string): Promise<Record<string, number>> {
  const schemas = GRPC_SERVICES.map((service) => SERVICE_PROTOS[service].schema);
  const sql = schemas
    .map((schema) => `SELECT '${schema}' AS schema, count(*)::int AS n FROM "${schema}"."outbox"`)
    .join(' UNION ALL ');
  const rows = await query<{ schema: string; n: number }>(databaseUrl, sql);
  return Object.fromEntries(rows.map((row) => [row.schema, row.n]));
}

/** Waits until every outbox is empty (every committed event relayed); returns the seconds it took. */
export async function waitForEmptyOutboxes(
  databaseUrl: string,
  timeoutMs = 90_000,
): Promise<number> {
  const began = Date.now();
  for (;;) {
    const backlog = await outboxBacklog(databaseUrl);
    if (Object.values(backlog).every((n) => n === 0)) return (Date.now() - began) / 1000;
    if (Date.now() - began > timeoutMs) {
      throw new Error(`outboxes not drained after ${timeoutMs} ms: ${JSON.stringify(backlog)}`);
    }
    await sleep(100);
  }
}

/**
 * Rows that exist only as part of a write (a write spans several rows) or
 * disagree with the rows they summarise: none may exist, whatever happened to
 * the transactions that wrote them.
 */
const PARTIAL_ROWS: Record<string, string> = {
  'document without all its versions': `
    SELECT d.id FROM content.documents d LEFT JOIN content.document_versions v ON v.document_id = d.id
     GROUP BY d.id, d.current_version
    HAVING count(v.number) <> d.current_version OR max(v.number) <> d.current_version`,
  'chat message whose edit count is not its edit rows': `
    SELECT m.id FROM comms.chat_messages m LEFT JOIN comms.chat_message_edits e ON e.message_id = m.id
     GROUP BY m.id, m.edit_count HAVING count(e.id) <> m.edit_count`,
  'chat room whose last sequence number is not its message count': `
    SELECT r.id FROM comms.chat_rooms r LEFT JOIN comms.chat_messages m ON m.room_id = r.id
     GROUP BY r.id, r.last_seq HAVING count(m.id) <> r.last_seq`,
  'user whose AI interactions and daily rollup disagree': `
    SELECT coalesce(i.user_id, r.user_id) AS id
      FROM (SELECT user_id, count(*) AS n FROM ai_usage.ai_interactions GROUP BY user_id) i
      FULL JOIN (SELECT user_id, sum(interaction_count) AS n FROM ai_usage.usage_daily GROUP BY user_id) r
        ON r.user_id = i.user_id
     WHERE i.n IS DISTINCT FROM r.n`,
};

/** Every partial write found, as "<rule>: <id>". */
export async function partialRows(databaseUrl: string): Promise<string[]> {
  const found: string[] = [];
  for (const [rule, sql] of Object.entries(PARTIAL_ROWS)) {
    const rows = await query<{ id: string }>(databaseUrl, sql);
    found.push(...rows.map((row) => `${rule}: ${row.id}`));
  }
  return found;
}

/** Where each audited aggregate keeps the field that carries a write's marker. */
const MARKED_ROWS: Record<string, { table: string; column: string }> = {
  'nexus.users.user': { table: 'users.users', column: 'full_name' },
  'nexus.content.document': { table: 'content.documents', column: 'title' },
  'nexus.comms.chat-message': { table: 'comms.chat_messages', column: 'text' },
  'nexus.work.task': { table: 'work.tasks', column: 'title' },
  'nexus.ai-usage.interaction': { table: 'ai_usage.ai_interactions', column: 'trace_id' },
};

/** The committed rows a scenario's writes left: aggregate id and its marker, per topic. */
export async function markedRows(
  databaseUrl: string,
  scenario: string,
): Promise<{ topic: string; id: string; marker: string }[]> {
  const rows: { topic: string; id: string; marker: string }[] = [];
  for (const [topic, { table, column }] of Object.entries(MARKED_ROWS)) {
    const found = await query<{ id: string; marker: string }>(
      databaseUrl,
      `SELECT id, ${column} AS marker FROM ${table} WHERE starts_with(${column}, $1)`,
      [`${scenario}/`],
    );
    rows.push(...found.map((row) => ({ topic, ...row })));
  }
  return rows;
}

/** Outbox rows (all services) of changes committed before `cutoff`: a backlog still to drain. */
export async function backlogBefore(databaseUrl: string, cutoff: Date): Promise<number> {
  const sql = GRPC_SERVICES.map(
    (service) =>
      `SELECT count(*)::int AS n FROM "${SERVICE_PROTOS[service].schema}"."outbox" WHERE "time" < $1`,
  ).join(' UNION ALL ');
  const rows = await query<{ n: number }>(databaseUrl, sql, [cutoff]);
  return rows.reduce((sum, row) => sum + row.n, 0);
}
