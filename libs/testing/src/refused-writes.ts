import { Client } from 'pg';

/**
 * A database that refuses some writes, and what the service logged meanwhile:
 * for tests that a failed write logs nothing of the request.
 */

/**
 * Makes PostgreSQL refuse every INSERT or UPDATE of `schema.table` whose
 * `column` starts with `prefix` (other tests' rows are untouched), with an
 * error whose message quotes the whole row, as a constraint or a trigger's
 * message can. Returns the function that lifts the refusal.
 */
export async function refuseWrites(options: {
  schema: string;
  table: string;
  column: string;
  prefix: string;
}): Promise<() => Promise<void>> {
  const { schema, table, column, prefix } = options;
  const name = `nexus_test_refuse_${column}`;
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `CREATE OR REPLACE FUNCTION "${schema}"."${name}"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'refused row %', row_to_json(NEW) USING DETAIL = row_to_json(NEW)::text; END $$`,
    );
    await client.query(
      `CREATE TRIGGER "${name}" BEFORE INSERT OR UPDATE ON "${schema}"."${table}" FOR EACH ROW
       WHEN (NEW."${column}"::text LIKE '${prefix.replace(/'/g, "''")}%') EXECUTE FUNCTION "${schema}"."${name}"()`,
    );
  } finally {
    await client.end();
  }
  return async () => {
    const dropper = new Client({ connectionString: process.env.DATABASE_URL });
    await dropper.connect();
    try {
      await dropper.query(`DROP TRIGGER IF EXISTS "${name}" ON "${schema}"."${table}"`);
      await dropper.query(`DROP FUNCTION IF EXISTS "${schema}"."${name}"()`);
    } finally {
      await dropper.end();
    }
  };
}

/** Every line written to stdout (where services log) until `stop()`. */
export function captureStdout(): { lines(): string[]; stop(): void } {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  return {
    lines: () => chunks.join('').split('\n').filter(Boolean),
    stop: () => {
      process.stdout.write = original;
    },
  };
}

/** What the service logged while a write was refused (see refusedWriteLog). */
export interface RefusedWriteLog<T> {
  /** What `call` returned (e.g. the grpcError of the refused call). */
  result: T;
  /** Lines logged as an unexpected error: one per refused call. */
  unexpectedErrors: number;
  /** Those of the secrets that appear anywhere in the log: none, by construction. */
  leaked: string[];
}

/**
 * Runs `call` while the database refuses the rows `refusal` names (as
 * refuseWrites), and reads what the service logged meanwhile.
 */
export async function refusedWriteLog<T>(
  refusal: Parameters<typeof refuseWrites>[0],
  call: () => Promise<T>,
  secrets: readonly string[],
): Promise<RefusedWriteLog<T>> {
  const lift = await refuseWrites(refusal);
  const logs = captureStdout();
  let result: T;
  try {
    result = await call();
  } finally {
    logs.stop();
    await lift();
  }
  const lines = logs.lines();
  const text = lines.join('\n');
  return {
    result,
    unexpectedErrors: lines.filter((line) => line.includes('unexpected error')).length,
    leaked: [...secrets, 'refused row'].filter((secret) => text.includes(secret)),
  };
}
