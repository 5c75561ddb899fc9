/**
 * Dependency and list benchmark for the work service.
 *
 *   npx nx run work:bench            (defaults: 10,000 tasks, 30,000 dependencies, 20,000-task list)
 *   BENCH_LIST_TASKS=100000 npx nx run work:bench      (the full list size)
 *
 * Needs DATABASE_URL (a server where it may create a scratch database) and
 * KAFKA_BROKERS. Setup rows are bulk-inserted in SQL; every measured call
 * goes through the gRPC API of a running work service.
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createPromiseClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { withScratchDatabase } from '@nexus/db';
import { workV1 } from '@nexus/proto';
import { startService } from '@nexus/runtime';
import { signTestToken, timed } from '@nexus/testing';
import { workConfig } from '../src/config';
import { workService } from '../src/work.app';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const DEPENDENCIES = Number(process.env.BENCH_DEPENDENCIES ?? 30_000);
const LIST_TASKS = Number(process.env.BENCH_LIST_TASKS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (see the header of this file)`);
  return value;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)];
const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Tasks 1..n of a project, with ordinals, in one statement. */
const INSERT_TASKS = `
  INSERT INTO "work"."tasks" (id, project_id, title, reporter_id, version, status, priority, due_date, tags)
  SELECT gen_random_uuid(), $1, 'task ' || n, $2, 1,
         (ARRAY['todo','in_progress','in_review','blocked','done','cancelled'])[1 + n % 6]::"work"."task_status",
         (ARRAY['low','medium','high','critical'])[1 + (n * 7) % 4]::"work"."task_priority",
         CASE WHEN n % 5 = 0 THEN NULL ELSE DATE '2024-01-01' + (n * 37) % 900 END,
         ARRAY['t' || n % 10]
  FROM generate_series(1, $3) AS n`;

/**
 * An acyclic graph: each dependency points from a task to an earlier one
 * (by creation order) at most 500 places back, so every chain runs downhill.
 */
const INSERT_DEPENDENCIES = `
  WITH ranked AS (
    SELECT id, (regexp_replace(t.title, '\\D', '', 'g'))::int AS n FROM "work"."tasks" t WHERE project_id = $1
  ), pairs AS (
    SELECT DISTINCT a.id AS task_id, b.id AS blocker_id
    FROM (SELECT n, floor(random() * least(n - 1, 500))::int + 1 AS back
          FROM ranked, generate_series(1, $2) AS k WHERE n > 1) r
    JOIN ranked a ON a.n = r.n
    JOIN ranked b ON b.n = r.n - r.back
  )
  INSERT INTO "work"."task_dependencies" (task_id, blocker_id)
  SELECT task_id, blocker_id FROM pairs ORDER BY random() LIMIT $3`;

async function main(): Promise<void> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const admin = signTestToken({
    role: 'admin',
    userId: uuidv7(),
    key: privatePem,
    expiresInMs: 3_600_000,
  });

  await withScratchDatabase(need('DATABASE_URL'), 'nexus_work_bench', async (url) => {
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
    const projects = createPromiseClient(workV1.ProjectServiceService, { address, token: admin });
    const tasks = createPromiseClient(workV1.TaskServiceService, {
      address,
      token: admin,
      defaultDeadlineMs: 60_000,
    });
    try {
      const graph = await projects.createProject({
        project: workV1.Project.fromPartial({ name: 'graph' }),
        requestId: '',
      });
      const reporter = uuidv7();
      let [setup] = await timed(async () => {
        await db.query(INSERT_TASKS, [graph.id, reporter, TASKS]);
        await db.query(INSERT_DEPENDENCIES, [
          graph.id,
          Math.ceil((DEPENDENCIES / TASKS) * 1.2) + 1,
          DEPENDENCIES,
        ]);
        await db.query('ANALYZE "work"."tasks"; ANALYZE "work"."task_dependencies"');
      });
      const [{ count: edges }] = await db.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM "work"."task_dependencies"',
      );
      const byOrdinal = async (n: number) =>
        (
          await db.query<{ id: string }[]>(
            `SELECT id FROM "work"."tasks" WHERE project_id = $1 AND title = $2`,
            [graph.id, `task ${n}`],
          )
        )[0].id;
      console.log(`setup: ${TASKS} tasks, ${edges} dependencies bulk-inserted in ${ms(setup)}`);

      // Accept: a top task blocked by another high one; the check walks the blocker's whole (large) blocker set.
      const accept: number[] = [];
      const reject: number[] = [];
      let cycleLength = 0;
      for (let run = 0; run < RUNS; run += 1) {
        const high = await byOrdinal(TASKS - run);
        const lower = await byOrdinal(TASKS - run - 600);
        const [took] = await timed(async () => {
          try {
            await tasks.addDependency({ taskId: high, blockerTaskId: lower });
          } catch (error) {
            if ((error as ServiceError).code !== status.ALREADY_EXISTS) throw error;
          }
        });
        accept.push(took);
        // Reject: a low task blocked by a high one that (transitively) waits for it.
        const low = await byOrdinal(1 + run);
        const [rejected, message] = await timed(async () => {
          try {
            await tasks.addDependency({ taskId: low, blockerTaskId: high });
            return 'accepted';
          } catch (error) {
            return (error as ServiceError).details;
          }
        });
        if (message === 'accepted') {
          await tasks.removeDependency({ taskId: low, blockerTaskId: high });
          continue;
        }
        reject.push(rejected);
        cycleLength = Math.max(cycleLength, (message.match(/ -> /g) ?? []).length);
      }
      const [{ reach }] = await db.query<{ reach: number }[]>(
        `WITH RECURSIVE r(id) AS (SELECT $1::uuid UNION SELECT d.blocker_id FROM "work"."task_dependencies" d JOIN r ON d.task_id = r.id) SELECT count(*)::int AS reach FROM r`,
        [await byOrdinal(TASKS - 600)],
      );
      console.log(
        `AddDependency accepted (blocker set walked: ${reach} tasks): p50 ${ms(median(accept))}, p95 ${ms(p95(accept))}`,
      );
      if (reject.length > 0) {
        console.log(
          `AddDependency rejected as a cycle (longest named cycle ${cycleLength} edges): p50 ${ms(median(reject))}, p95 ${ms(p95(reject))}; reject/accept ${(median(reject) / median(accept)).toFixed(2)}x`,
        );
      }

      const big = await projects.createProject({
        project: workV1.Project.fromPartial({ name: 'big' }),
        requestId: '',
      });
      [setup] = await timed(async () => {
        await db.query(INSERT_TASKS, [big.id, reporter, LIST_TASKS]);
        await db.query('ANALYZE "work"."tasks"');
      });
      console.log(`\nlist setup: ${LIST_TASKS} tasks in one project in ${ms(setup)}`);
      const orders: [string, workV1.TaskOrderBy][] = [
        ['creation', workV1.TaskOrderBy.TASK_ORDER_BY_CREATE_TIME_DESC],
        ['due date', workV1.TaskOrderBy.TASK_ORDER_BY_DUE_DATE_ASC],
        ['priority', workV1.TaskOrderBy.TASK_ORDER_BY_PRIORITY_DESC],
      ];
      const firstPages: number[] = [];
      for (const [name, orderBy] of orders) {
        const first: number[] = [];
        const deep: number[] = [];
        let pageToken = '';
        for (let run = 0; run < RUNS; run += 1) {
          const request = workV1.ListTasksRequest.fromPartial({
            projectId: big.id,
            orderBy,
            pageSize: 50,
          });
          first.push((await timed(() => tasks.listTasks(request)))[0]);
          // Walk on: page `run + 2`, `run + 3`, ... keyset pages cost what the first one does.
          const [took, page] = await timed(() => tasks.listTasks({ ...request, pageToken }));
          deep.push(took);
          pageToken = page.nextPageToken;
        }
        firstPages.push(median(first));
        console.log(
          `ListTasks by ${name}, 50 per page: first page p50 ${ms(median(first))}, later pages p50 ${ms(median(deep))}, p95 ${ms(p95(deep))}`,
        );
      }
      const filtered: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const request = workV1.ListTasksRequest.fromPartial({
          projectId: big.id,
          overdueOnly: true,
          tag: 't3',
          orderBy: workV1.TaskOrderBy.TASK_ORDER_BY_DUE_DATE_ASC,
        });
        filtered.push((await timed(() => tasks.listTasks(request)))[0]);
      }
      console.log(`ListTasks overdue + tag, by due date: p50 ${ms(median(filtered))}`);
      const withTotal = await timed(() =>
        tasks.listTasks(
          workV1.ListTasksRequest.fromPartial({ projectId: big.id, includeTotalSize: true }),
        ),
      );
      console.log(
        `ListTasks with include_total_size (${withTotal[1].totalSize} rows counted): ${ms(withTotal[0])}`,
      );
      console.log(
        `ratio slowest/fastest order (first page): ${(Math.max(...firstPages) / Math.min(...firstPages)).toFixed(2)}x`,
      );
    } finally {
      projects.close();
      tasks.close();
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
