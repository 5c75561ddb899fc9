import { rowMet, type BenchRow } from '@nexus/testing';
import type { BenchConfig } from './config';
import type { LatencyFigures } from './latency-bench';
import type { ListFigures } from './list-bench';
import type { LoadResult } from './load';
import type { ProfileSummary } from './profile';
import type { RelayFigures } from './relay-bench';
import type { SectionFailure } from './run-sections';
import { callMet, resultRows } from './result-rows';
import type { CallFigures } from './rounds';
import type { ServiceBenchResult } from './service-benches';
import type { ServiceName } from './services';
import { percentile } from '@nexus/testing';
import { formatNumber as f } from './stats';
import type { SustainedFigures } from './sustained-load';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  kafka: string;
}

export interface BenchResults {
  config: BenchConfig;
  machine: Machine;
  startedAt: Date;
  seconds: number;
  /** Every measured call over every round (see summariseRounds). */
  calls: CallFigures[];
  sustained?: SustainedFigures;
  serviceBenches: ServiceBenchResult[];
  /** Absent (and in `failures`) when that section failed. */
  relay?: RelayFigures;
  latency: LatencyFigures[];
  list?: ListFigures;
  failures: SectionFailure[];
  profiles: { name: string; service: ServiceName; summary: ProfileSummary }[];
}

/** A load's CPU per call by party (µs), their sum, and the calls/s the host's cores allow at it. */
export function perCall(load: LoadResult | undefined) {
  const cpu = load?.cpu;
  if (!load || !cpu || load.calls === 0) return undefined;
  const per = (micros: number) => micros / load.calls;
  const sum = per(cpu.client + cpu.server + cpu.postgres + cpu.kafka);
  return {
    client: per(cpu.client),
    server: per(cpu.server),
    postgres: per(cpu.postgres),
    kafka: per(cpu.kafka),
    sum,
    ceiling: cpu.capacity / load.seconds / sum,
    othersPercent: (100 * cpu.others) / cpu.capacity,
    busyPercent: (100 * cpu.machine) / cpu.capacity,
  };
}

const µs = (value: number | undefined) => (value === undefined ? 'n/a' : `${f(value)} µs`);

/** Per call: each party's CPU, their sum, and the calls/s the host's cores allow at that sum. */
export function cpuRow(name: string, load: LoadResult | undefined): string {
  if (!load) return `| ${name} | not measured | | | | | | | | |`;
  const x = perCall(load);
  if (!x) return `| ${name} | ${f(load.rate)} | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |`;
  const dash = (micros: number) => (micros > 0 ? f(micros) : '–');
  return `| ${name} | ${f(load.rate)} | ${f(x.client)} | ${dash(x.server)} | ${dash(x.postgres)} | ${dash(x.kafka)} | **${f(x.sum)}** | ${f(x.ceiling)}/s | ${x.busyPercent.toFixed(0)}% | ${x.othersPercent.toFixed(0)}% |`;
}

function resultRow(row: BenchRow): string {
  const spread = row.spread
    ? `${f(row.spread.min)} to ${f(row.spread.max)} (${row.spread.rounds} rounds)`
    : '–';
  const target = Number.isFinite(row.bound) ? `${row.sense} ${row.bound}` : '–';
  const met = rowMet(row) ? 'yes' : '**no**';
  return `| ${row.measurement} | ${row.figure} | ${row.reference} | ${f(row.value)} | ${spread} | ${target} | ${met} |`;
}

/** G, P and H (or the argon2id ceiling) of each call in its median round. */
function partsRows(r: BenchResults): string[] {
  return [
    '| call | request / reply B | G: echo | P: raw SQL | H or ceiling | service | ratio | P does |',
    '|---|---|---|---|---|---|---|---|',
    ...r.calls.map((x) => {
      const t = x.typical;
      const g = t.g ? `${f(t.g.rate)}/s` : '–';
      const p = t.p ? `${f(t.p.rate)}/s` : t.ceiling ? `argon2id ${f(t.ceiling.rate)}/s` : '–';
      const lat = t.service.latenciesMs;
      return `| ${x.scenario.name} | ${x.requestBytes} / ${x.replyBytes} | ${g} | ${p} | ${f(t.reference)}/s | ${f(t.service.rate)}/s (p50 ${f(percentile(lat, 50))} ms, p99 ${f(percentile(lat, 99))} ms, ${t.service.errors} errors) | ${f(t.ratio)} | ${x.scenario.rawWork} |`;
    }),
  ];
}

function cpuRows(r: BenchResults): string[] {
  const rows: string[] = [];
  for (const x of r.calls) {
    const t = x.typical;
    if (t.g) rows.push(cpuRow(`${x.scenario.name}: G (echo)`, t.g));
    if (t.p) rows.push(cpuRow(`${x.scenario.name}: P (raw SQL)`, t.p));
    if (t.ceiling) rows.push(cpuRow(`${x.scenario.name}: argon2id alone`, t.ceiling));
    rows.push(cpuRow(`**${x.scenario.name}** (${x.scenario.service} service)`, t.service));
  }
  return rows;
}

/** Every round's ratio of every call, with the share of the machine others took. */
function roundRows(r: BenchResults): string[] {
  const count = Math.max(0, ...r.calls.map((x) => x.rounds.length));
  const rounds = Array.from({ length: count }, (_, i) => i);
  const others = (load: LoadResult) =>
    load.cpu ? ` (${((100 * load.cpu.others) / load.cpu.capacity).toFixed(0)}%)` : '';
  return [
    `| call | ${rounds.map((i) => `round ${i + 1}`).join(' | ')} | median |`,
    `|---|${rounds.map(() => '---').join('|')}|---|`,
    ...r.calls.map(
      (x) =>
        `| ${x.scenario.name} | ${rounds
          .map((i) => {
            const round = x.rounds[i];
            return round
              ? `${f(round.ratio)}: ${f(round.service.rate)} / ${f(round.reference)}${others(round.service)}`
              : '–';
          })
          .join(' | ')} | ${f(x.ratio.median)} |`,
    ),
  ];
}

/** Where a call that missed its target spends its time: CPU by party against G and P's. */
export function callNote(x: CallFigures, cores: number): string {
  const t = x.typical;
  const call = perCall(t.service);
  const name = x.scenario.name;
  const bound = x.scenario.reference.bound;
  if (!call) return `${name}: no CPU figures for the service's window.`;
  const target = bound * t.reference;
  const budget = (cores * 1e6) / target;
  const parts = `client ${µs(call.client)}, ${x.scenario.service} service ${µs(call.server)}, PostgreSQL ${µs(call.postgres)}, Kafka ${µs(call.kafka)}`;
  if (x.scenario.reference.kind === 'argon2id') {
    const alone = perCall(t.ceiling);
    return (
      `${name} costs ${µs(call.sum)} of CPU per call across the host (${parts}) where hashing alone costs ` +
      `${µs(alone?.sum)} (${f(t.ceiling?.rate ?? NaN)}/s): the rest is the row, the outbox and its relay, and ` +
      `the gRPC call. ${bound}·ceiling = ${f(target)}/s on ${cores} cores allows ${µs(budget)} a call. argon2id ` +
      "runs on libuv's thread pool (UV_THREADPOOL_SIZE); hashing stays by design, so what closes a gap is " +
      'capacity: cores or replicas.'
    );
  }
  const echo = perCall(t.g);
  const raw = perCall(t.p);
  const fits =
    call.sum <= budget
      ? `By CPU alone the call fits, so the shortfall is waiting: the host was ${call.busyPercent.toFixed(0)}% busy ` +
        `(G ${echo?.busyPercent.toFixed(0) ?? 'n/a'}%, P ${raw?.busyPercent.toFixed(0) ?? 'n/a'}%): each call passes ` +
        'through three processes in turn (client, service, PostgreSQL) where G and P pass through two.'
      : `The call costs ${f(call.sum / budget)}× what the target allows; the service's own share ` +
        `(${µs(call.server)}) against the echo server's ${µs(echo?.server)} is the code between the wire and the SQL` +
        `${call.postgres > (raw?.postgres ?? 0) * 1.3 ? `, and PostgreSQL spends ${µs(call.postgres)} where the raw SQL spends ${µs(raw?.postgres)} on the same rows (statements beyond P's, or not prepared: compare the SQL_ECHO=true log with "P does" above)` : ''}.`;
  return (
    `${name} costs ${µs(call.sum)} of CPU per call across the host (${parts}), where the echo call costs ` +
    `${µs(echo?.sum)} and the raw SQL ${µs(raw?.sum)}; ${bound}·H = ${f(target)}/s on ${cores} cores allows ` +
    `${µs(budget)} a call. ${fits} Round by round the ratio was ${f(x.ratio.min)} to ${f(x.ratio.max)}.`
  );
}

/** What closes each gap of the platform-wide rows when missed. */
const OTHER_NOTES: Record<string, string> = {
  'relay / raw drain':
    'The kit relay holds a session advisory lock, LISTENs, groups by topic and reports metrics; the remaining ' +
    'difference is per-batch bookkeeping. Larger batches (batchSize) amortise the acks=all round trip.',
  'relay / fastest write rate':
    'The relay publishes sequentially (one batch in flight, acks=all, idempotent producer), so its rate is ' +
    'batch size / (claim + send + delete + commit). Larger batches, or pipelining the next claim while a send ' +
    'is in flight, raise it.',
  'commit → consumer p99 (ms)':
    'The path is commit → NOTIFY → relay claim → Kafka produce (acks=all) → consumer fetch; the median is a few ' +
    'milliseconds, the tail is scheduling: writer, relay and consumer share one event loop here, and Kafka and ' +
    'PostgreSQL share the cores with it.',
  'deep page / first page':
    'Keyset pages seek straight to the cursor on the (created_at, id) index, so depth should not matter; a ' +
    'deep page slower than the first means the cursor predicate is not used as an index condition.',
  'analytics lag back to 0 after sustained load (s)':
    'The backlog at the end of the load is what the relays had not published plus what the analytics consumer ' +
    'had not committed; it drains at the consumer rate minus nothing (the writers have stopped). A consumer ' +
    'applying more partitions at once (ANALYTICS_CONSUMER_CONCURRENCY), batching its read-model writes, or ' +
    'running on cores the writers do not share shortens it.',
};

export function renderReport(r: BenchResults): string {
  const rows = resultRows(r);
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const s = r.sustained;
  const size = r.config.full
    ? 'full'
    : r.config.quick
      ? 'quick (figures only show it works)'
      : 'default';

  push(
    '# Performance',
    '',
    'Written by `npm run bench` (apps/bench); do not edit by hand. Every figure below comes from one run,',
    'measured side by side on the same machine, so the ratios compare like with like.',
    '',
    '## Machine',
    '',
    `- CPU: ${r.machine.cpu}, ${r.machine.cores} cores`,
    `- Memory: ${r.machine.memoryGiB.toFixed(1)} GiB`,
    `- OS: ${r.machine.os}`,
    `- Node.js ${r.machine.node}, PostgreSQL ${r.machine.postgres}, Kafka ${r.machine.kafka}`,
    `- Run: ${r.startedAt.toISOString()}, ${Math.round(r.seconds)} s in all, ${size} sizes`,
    '',
    '## Results',
    '',
    'Each call against its physical limit H = 1 / (1/G + 1/P), where G is a raw grpc-js echo server (its own',
    "process) answering messages of the call's request and reply sizes and P the call's SQL work with raw `pg`",
    'and named prepared statements (the same row locks, writes, child rows and outbox row, in one transaction);',
    'CreateUser against argon2id hashing alone. The ratio is the median over the rounds, the spread the lowest',
    'and highest round, each round against its own H.',
    '',
    '| measurement | figure | reference | ratio (median) | spread | target | met |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(resultRow),
    '',
    '### The parts',
    '',
    `${r.config.concurrency} concurrent callers, ${r.config.seconds} s measured after a warm-up, for G, P and every`,
    `call; the figures of the round whose ratio is the median:`,
    '',
    ...partsRows(r),
    '',
    `Where each call's CPU goes (the median round). Client, server, PostgreSQL and Kafka share the host's ${r.machine.cores} cores,`,
    'so a call costs the sum of what each spends on it, and cores × 10⁶ µs ÷ that sum is the most calls/s the',
    'host can do at that cost (the ceiling). "Host busy" is how much of the machine was in use in the window,',
    '"others" the part taken by processes outside the benchmark (other services idling included).',
    '',
    '| load | calls/s | client µs | server µs | PostgreSQL µs | Kafka µs | sum µs | ceiling | host busy | others |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...cpuRows(r),
    '',
    `All rounds: G, argon2id and P with the services stopped, then the services (users, content, work, comms,`,
    'each its own process), round after round, so load from elsewhere on the host falls on all of them alike.',
    'Each cell is ratio: service / reference (others on the host during the service window):',
    '',
    ...roundRows(r),
    '',
  );

  if (s) {
    push(
      '### Sustained load',
      '',
      `Every service's main write at once (${s.writes.map((w) => w.name).join(', ')}), each with ${r.config.concurrency} closed-loop`,
      `callers, for ${s.seconds} s after a warm-up, with the analytics service consuming (its own process, a consumer`,
      'group starting at the end of every topic). The drain time runs from the last answer until every outbox is',
      "empty and the group's committed offsets reach the end of every platform topic (kafkajs admin).",
      '',
      '| write | calls/s | errors |',
      '|---|---|---|',
      ...s.writes.map((w) => `| ${w.name} | ${f(w.load.rate)} | ${w.load.errors} |`),
      `| all | ${f(s.eventsPerSecond)} events/s | |`,
      '',
    );
  }

  push('### Relay, latency, paging', '');
  const relay = r.relay;
  if (relay) {
    push(
      `Outbox relay: ${f(relay.events)} user-sized events pre-filled in a scratch schema made with KitTablesV1Migration;`,
      'the kit OutboxRelay (warm) against a raw loop (SELECT … FOR UPDATE SKIP LOCKED, kafkajs sendBatch with',
      'acks=all on an idempotent producer, DELETE, COMMIT; batches of 500) over the same table.',
      '',
      `Latency: ${r.config.latencyRate} events/s for ${r.config.latencySeconds} s through inTransaction + tx.emit, timed from commit to a`,
      'kafkajs consumer receiving each event, after 2 s at the same rate to warm up:',
      '',
      '| relay | received | p50 ms | p99 ms | max ms |',
      '|---|---|---|---|---|',
      ...r.latency.map(
        (x) =>
          `| ${x.mode === 'notify' ? 'NOTIFY-driven' : 'polling every 500 ms, no trigger'} | ${x.received}/${x.sent} | ${f(x.p50Ms)} | ${f(x.p99Ms)} | ${f(x.maxMs)} |`,
      ),
      '',
    );
  }
  const list = r.list;
  if (list) {
    push(
      `List paging: ${f(list.rows)} users bulk-loaded; ListUsers (newest first, page_size ${list.pageSize}) for the first page and`,
      `for a page ${f(list.depthRows)} rows deep (its token reached by paging 1,000 at a time, ${f(list.pagingSeconds)} s), median of 30;`,
      'OFFSET is the same ORDER BY in raw SQL with OFFSET 0 and OFFSET at the same depth.',
      '',
    );
  }
  for (const failure of r.failures)
    push(`Not measured: ${failure.section} failed (${failure.error}).`, '');

  for (const bench of r.serviceBenches) {
    push(`## ${bench.name} (its own bench, ${Math.round(bench.seconds)} s)`, '');
    if (bench.problem) push(`Not measured: ${bench.problem}.`, '');
    if (bench.markdown.trim()) push(demoteHeadings(bench.markdown.trim()), '');
  }

  const missedCalls = r.calls.filter((x) => !callMet(x));
  const missedOthers = rows.filter((row) => !rowMet(row) && OTHER_NOTES[row.measurement]);
  if (missedCalls.length > 0 || missedOthers.length > 0) {
    push('## Where the time goes', '');
    for (const x of missedCalls) {
      push(
        `- **${x.scenario.name}** (${f(x.ratio.median)}, target >= ${x.scenario.reference.bound}): ${callNote(x, r.machine.cores)}`,
      );
    }
    for (const row of missedOthers) {
      push(
        `- **${row.measurement}** (${f(row.value)}, target ${row.sense} ${row.bound}): ${OTHER_NOTES[row.measurement]}`,
      );
    }
    push('');
    for (const p of r.profiles) {
      push(
        `### Profile: ${p.name}`,
        '',
        `A V8 CPU profile (the \`node --cpu-prof\` format) of the ${p.service} service's JavaScript thread over the measured window of the same load (${f(p.summary.busyMs)} ms busy sampled; thread-pool work such as argon2id is not in it). It samples wall time: a native frame such as \`writev\` also holds the moments the thread was preempted there. Self time:`,
        '',
        `- by part: ${p.summary.byPart.map((x) => `${x.part} ${x.percent.toFixed(0)}%`).join(', ')}`,
        `- top functions: ${p.summary.topFunctions.map((x) => `${x.name} ${x.percent.toFixed(0)}%`).join(', ')}`,
        '',
      );
    }
  }

  push(
    '## Running it',
    '',
    '`npm run bench` starts an ephemeral PostgreSQL and Kafka (or uses `DATABASE_URL` / `KAFKA_BROKERS` when set),',
    'creates a database of its own on that server (and one per service bench) and drops it afterwards.',
    "`BENCH_FULL=1` runs the issue's full sizes: 30 s per throughput measurement, 60 s of sustained load,",
    '1,000,000 analytics events, 1,000,000 users for list paging, 200,000 relay events and 60 s of latency;',
    '`BENCH_QUICK=1` a short run that only shows everything works. Single sizes: `BENCH_CONCURRENCY` (16),',
    '`BENCH_SECONDS` (6), `BENCH_ROUNDS` (3), `BENCH_SUSTAINED_SECONDS` (60), `BENCH_DRAIN_TARGET_SECONDS` (5),',
    '`BENCH_EVENTS` (100,000: the analytics replay bench), `BENCH_SERVICE_BENCHES` (true), `BENCH_RELAY_EVENTS` (20,000),',
    '`BENCH_LATENCY_RATE` (200/s), `BENCH_LATENCY_SECONDS` (10), `BENCH_LIST_ROWS` (200,000), `BENCH_DEPTH_PERCENT` (90),',
    '`BENCH_PROFILE` (true: profile the service of every call that misses its target), `BENCH_OUTPUT` (docs/performance.md).',
    'The sustained load runs six services at once, each with its connection pools: on a PostgreSQL shared with',
    'other work, leave room for well over 100 connections (the ephemeral one allows 200), or calls fail with',
    '"too many clients" and show as errors.',
    '',
  );
  return lines.join('\n');
}

/** A service bench's section sits under a level-2 heading of its own. */
function demoteHeadings(markdown: string): string {
  return markdown.replace(
    /^(#{1,5}) /gm,
    (_, hashes: string) => `${hashes.length < 3 ? '###' : `${hashes}#`} `,
  );
}
