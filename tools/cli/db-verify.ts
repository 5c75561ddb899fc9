import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { migrationState, pendingSchemaChanges } from '@nexus/db';
import type { ServiceDatabase } from '../service-registry';
import { CliError, servicesNamed, withServiceDatabase } from './database';

export interface SchemaReport {
  service: string;
  schema: string;
  tables: { name: string; rows: number }[];
  applied: number;
  pending: string[];
  unknown: string[];
  drift: number;
  outboxBacklog: number;
  relayLagSeconds: number;
  problems: string[];
}

/** Everything `db verify` checks for one schema. */
export async function verifySchema(
  service: ServiceDatabase,
  dataSource: DataSource,
  maxLagSeconds: number,
): Promise<SchemaReport> {
  const problems: string[] = [];
  const state = await migrationState(dataSource);
  const known = new Set(service.migrations.map((migration) => migration.name));
  const unknown = state.applied.map((m) => m.name).filter((name) => !known.has(name));
  if (state.pending.length) problems.push(`pending migrations: ${state.pending.join(', ')}`);
  if (unknown.length)
    problems.push(
      `applied migrations this code does not know (a newer schema?): ${unknown.join(', ')}`,
    );

  const expected = dataSource.entityMetadatas.map((metadata) => metadata.tableName);
  const present = new Set(
    (
      await dataSource.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
        [service.schema],
      )
    ).map((row) => row.table_name),
  );
  const missing = expected.filter((table) => !present.has(table));
  if (missing.length) problems.push(`missing tables: ${missing.join(', ')}`);
  const drift = missing.length ? 0 : (await pendingSchemaChanges(dataSource)).length;
  if (drift) problems.push(`${drift} difference(s) between the entities and the tables`);

  const tables = [];
  for (const table of expected.filter((name) => present.has(name)).sort()) {
    const [row] = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM "${service.schema}"."${table}"`,
    );
    tables.push({ name: table, rows: Number(row?.n ?? 0) });
  }
  let outboxBacklog = 0;
  let relayLagSeconds = 0;
  if (present.has('outbox')) {
    const [outbox] = await dataSource.query<{ n: string; oldest: Date | null }[]>(
      `SELECT count(*) AS n, min(time) AS oldest FROM "${service.schema}"."outbox"`,
    );
    outboxBacklog = Number(outbox?.n ?? 0);
    relayLagSeconds = outbox?.oldest
      ? Math.round((Date.now() - new Date(outbox.oldest).getTime()) / 1000)
      : 0;
    if (relayLagSeconds > maxLagSeconds) {
      problems.push(
        `outbox relay lag ${relayLagSeconds} s (> ${maxLagSeconds} s): is the service (and Kafka) running?`,
      );
    }
  }
  return {
    service: service.service,
    schema: service.schema,
    tables,
    applied: state.applied.length,
    pending: state.pending,
    unknown,
    drift,
    outboxBacklog,
    relayLagSeconds,
    problems,
  };
}

export function printReport(reports: SchemaReport[]): void {
  const rows = reports.flatMap((report) => [
    [report.service, 'migrations', `${report.applied} applied, ${report.pending.length} pending`],
    [
      report.service,
      'outbox',
      `${report.outboxBacklog} waiting, relay lag ${report.relayLagSeconds} s`,
    ],
    ...report.tables.map((table) => [report.service, table.name, `${table.rows} rows`]),
    ...report.problems.map((problem) => [report.service, 'PROBLEM', problem]),
  ]);
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows)
    console.log(`${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`);
}

export function registerVerifyCommand(db: Command): void {
  db.command('verify')
    .description(
      'check every schema, table and migration, row counts, outbox backlog and relay lag; exits 1 on any problem',
    )
    .argument('[service]', 'a service name, or all', 'all')
    .option('--max-relay-lag <seconds>', 'oldest unpublished event allowed', '300')
    .action(async (service: string, options: { maxRelayLag: string }) => {
      const reports = [];
      for (const target of servicesNamed(service)) {
        reports.push(
          await withServiceDatabase(target, (dataSource) =>
            verifySchema(target, dataSource, Number(options.maxRelayLag)),
          ),
        );
      }
      printReport(reports);
      const problems = reports.reduce((sum, report) => sum + report.problems.length, 0);
      if (problems) throw new CliError(`${problems} problem(s) found`);
      console.log('\nall schemas verified');
    });
}
