/**
 * SearchTasks benchmark for the work service.
 *
 *   npx nx run work:bench-search     (default: 50,000 tasks the member reads, as many they do not)
 *   BENCH_SEARCH_TASKS=100000 npx nx run work:bench-search
 *
 * Needs DATABASE_URL (a server where it may create a scratch database) and
 * KAFKA_BROKERS. Tasks are bulk-inserted in SQL with titles, descriptions and
 * tags drawn from a 200-word vocabulary, skewed so that a few words are in
 * most tasks and most words in few; every measured call goes through the
 * gRPC API, as a project member (the access rule's EXISTS on
 * project_members) and as an admin (no access condition).
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { createPromiseClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { withScratchDatabase } from '@nexus/db';
import { workV1 } from '@nexus/proto';
import { startService } from '@nexus/runtime';
import { signTestToken, timed } from '@nexus/testing';
import { workConfig } from '../src/config';
import { workService } from '../src/work.app';

const TASKS = Number(process.env.BENCH_SEARCH_TASKS ?? 50_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (see the header of this file)`);
  return value;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)];
const p95 = (values: number[]) => sorted(values)[Math.floor(values.length * 0.95)];
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** 200 words: "w000" is the most frequent, "w199" the rarest (index = 200 × random³). */
const WORD = `'w' || lpad(floor(200 * power(random(), 3))::int::text, 3, '0')`;
const words = (count: number) =>
  `(SELECT string_agg(${WORD}, ' ') FROM generate_series(1, ${count}) WHERE n > 0)`;

/** Titles of 4 words, descriptions of 30, 2 tags; "database migration" in one task in 1,000. */
const INSERT_TASKS = `
  INSERT INTO "work"."tasks" (id, project_id, title, description, reporter_id, version, tags)
  SELECT gen_random_uuid(), $1,
         CASE WHEN n % 1000 = 0 THEN 'Database migration ' || n ELSE ${words(4)} END,
         ${words(30)}, $2, 1, ARRAY[${WORD}, ${WORD}]
  FROM generate_series(1, $3) AS n`;

async function main(): Promise<void> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const token = (role: 'admin' | 'user') =>
    signTestToken({ role, userId: uuidv7(), key: privatePem, expiresInMs: 3_600_000 });

  await withScratchDatabase(need('DATABASE_URL'), 'nexus_work_search_bench', async (url) => {
    const config = workConfig({
      ...process.env,
      DATABASE_URL: url,
      KAFKA_BROKERS: need('KAFKA_BROKERS'),
      JWT_PUBLIC_KEY: publicPem,
      BIND_HOST: '127.0.0.1',
      WORK_GRPC_PORT: '0',
      WORK_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const service = await startService(workService(config), config.service);
    const db = service.runtime.dataSource;
    const address = `127.0.0.1:${service.grpcPort}`;
    const client = (role: 'admin' | 'user') => {
      const signed = token(role);
      return {
        projects: createPromiseClient(workV1.ProjectServiceService, { address, token: signed }),
        tasks: createPromiseClient(workV1.TaskServiceService, {
          address,
          token: signed,
          defaultDeadlineMs: 60_000,
        }),
      };
    };
    const member = client('user');
    const stranger = client('user');
    const admin = client('admin');
    try {
      const own = await member.projects.createProject({
        project: workV1.Project.fromPartial({ name: 'searched' }),
        requestId: '',
      });
      const other = await stranger.projects.createProject({
        project: workV1.Project.fromPartial({ name: 'not readable' }),
        requestId: '',
      });
      const reporter = uuidv7();
      const [setup] = await timed(async () => {
        await db.query(INSERT_TASKS, [own.id, reporter, TASKS]);
        await db.query(INSERT_TASKS, [other.id, reporter, TASKS]);
        await db.query('ANALYZE "work"."tasks"');
      });
      console.log(`setup: 2 × ${TASKS} tasks bulk-inserted and indexed in ${ms(setup)}`);

      const count = async (word: string) =>
        (
          await db.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM "work"."tasks"
             WHERE project_id = $1 AND search_vector @@ to_tsquery('"work".search', $2)`,
            [own.id, word],
          )
        )[0].n;
      const queries: [string, string][] = [
        ['common word', 'w000 '],
        ['mid word', 'w020 '],
        ['rare word', 'w190 '],
        ['two words', 'w003 w010 '],
        ['phrase', '"database migration" '],
        ['exclusion', 'w010 -w000 '],
        ['prefix', 'w19'],
        ['typo fallback', 'databse migraton'],
      ];
      console.log(
        `matches in the member's project: common ${await count('w000')}, mid ${await count('w020')}, rare ${await count('w190')}`,
      );
      for (const [label, query] of queries) {
        for (const [who, caller] of [
          ['member', member],
          ['admin', admin],
        ] as const) {
          const took: number[] = [];
          let page: workV1.SearchTasksResponse | undefined;
          for (let run = 0; run < RUNS; run += 1) {
            const [time, result] = await timed(() =>
              caller.tasks.searchTasks(
                workV1.SearchTasksRequest.fromPartial({ query, pageSize: 20 }),
              ),
            );
            took.push(time);
            page = result;
          }
          console.log(
            `${label} (${JSON.stringify(query)}) as ${who}: p50 ${ms(median(took))}, p95 ${ms(p95(took))}; ${page!.results.length} on the page${page!.approximate ? ', approximate' : ''}`,
          );
        }
      }
      const deep: number[] = [];
      let pageToken = '';
      for (let run = 0; run < RUNS; run += 1) {
        const [time, page] = await timed(() =>
          member.tasks.searchTasks(
            workV1.SearchTasksRequest.fromPartial({ query: 'w020 ', pageSize: 20, pageToken }),
          ),
        );
        deep.push(time);
        pageToken = page.nextPageToken;
      }
      console.log(
        `mid word, pages 1-${RUNS} in turn: p50 ${ms(median(deep))}, p95 ${ms(p95(deep))}`,
      );
      const [withTotal, counted] = await timed(() =>
        member.tasks.searchTasks(
          workV1.SearchTasksRequest.fromPartial({ query: 'w000 ', includeTotalSize: true }),
        ),
      );
      console.log(
        `common word with include_total_size (${counted.totalSize} counted): ${ms(withTotal)}`,
      );
    } finally {
      for (const { projects, tasks } of [member, stranger, admin]) {
        projects.close();
        tasks.close();
      }
      await service.stop();
    }
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
