import type { BenchConfig } from './config';
import type { LoadResult } from './load';
import type { LatencyFigures } from './latency-bench';
import type { ListFigures } from './list-bench';
import type { ProfileSummary } from './profile';
import type { RelayFigures } from './relay-bench';
import { formatNumber as f, targetMet, type Target } from './stats';
import type { PhysicalLimits, Round, ServiceFigures } from './users-bench';

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
  /** The best round of each measurement (see bestOfRounds). */
  limits: PhysicalLimits;
  service: ServiceFigures;
  /** Every round, for the spread. */
  rounds: Round[];
  relay: RelayFigures;
  latency: LatencyFigures[];
  list: ListFigures;
  profiles: { name: string; summary: ProfileSummary }[];
}

export type TargetKey = 'get' | 'create' | 'relayRaw' | 'relayCreate' | 'latency' | 'list';

export function targets(r: BenchResults): Record<TargetKey, Target> {
  const notify = r.latency.find((l) => l.mode === 'notify');
  return {
    get: {
      name: 'GetUser / H',
      value: r.service.get.load.rate / r.limits.hGet,
      bound: 0.75,
      sense: '>=',
    },
    create: {
      name: 'CreateUser / H',
      value: r.service.create.load.rate / r.limits.hCreate,
      bound: 0.65,
      sense: '>=',
    },
    relayRaw: {
      name: 'relay / raw drain',
      value: r.relay.kitRate / r.relay.rawRate,
      bound: 0.8,
      sense: '>=',
    },
    relayCreate: {
      name: 'relay / sustained create rate',
      value: r.relay.kitRate / r.service.create.load.rate,
      bound: 1.5,
      sense: '>=',
    },
    latency: {
      name: 'commit → consumer p99 (ms)',
      value: notify?.p99Ms ?? NaN,
      bound: 25,
      sense: '<=',
    },
    list: {
      name: 'deep page / first page',
      value: r.list.deepPageMs / r.list.firstPageMs,
      bound: 1.2,
      sense: '<=',
    },
  };
}

/** A load's CPU per call by party (µs), their sum, and the calls/s the host's cores allow at it. */
function perCall(load: LoadResult) {
  const cpu = load.cpu;
  if (!cpu || load.calls === 0) return undefined;
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

const percent = (fraction: number) => `${(100 * fraction).toFixed(0)}%`;

const µs = (value: number | undefined) => (value === undefined ? 'n/a' : `${f(value)} µs`);

/** "0.62 to 0.71": a ratio over the rounds, each against its own round's H. */
function roundSpread(r: BenchResults, ratio: (round: Round) => number): string {
  const values = r.rounds.map(ratio);
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? f(low) : `${f(low)} to ${f(high)}`;
}

/** `text` when the report has a profile of that call, else nothing. */
function profiled(r: BenchResults, call: string, text = ' (profile below)'): string {
  return r.profiles.some((p) => p.name.startsWith(call)) ? text : '';
}

function getNote(r: BenchResults): string {
  const { limits: l, service: s } = r;
  const get = perCall(s.get.load);
  const echo = perCall(l.grpcGet);
  const raw = perCall(l.sqlGet);
  const target = 0.75 * l.hGet;
  const cores = r.machine.cores;
  const budget = (cores * 1e6) / target;
  let costs = '';
  if (get && echo && raw) {
    costs =
      `GetUser costs ${µs(get.sum)} of CPU per call across the host (client ${µs(get.client)}, service ` +
      `${µs(get.server)}, PostgreSQL ${µs(get.postgres)}${get.kafka >= 1 ? `, Kafka ${µs(get.kafka)}` : ''}), ` +
      `where the echo call costs ${µs(echo.sum)} and the raw read ${µs(raw.sum)}; 0.75·H = ${f(target)}/s ` +
      `on ${cores} cores allows ${µs(budget)} a call. `;
    costs +=
      get.sum <= budget
        ? `By CPU alone the call fits, so the shortfall is idle time: the host was ${get.busyPercent.toFixed(0)}% ` +
          `busy during GetUser (G ${echo.busyPercent.toFixed(0)}%, P ${raw.busyPercent.toFixed(0)}%): each ` +
          'call waits on three processes in turn (client, service, PostgreSQL) where G and P pass through ' +
          'two, on cores all three share. '
        : `The call costs ${f(get.sum / budget)}× what the target allows. `;
  }
  const spread = roundSpread(r, (x) => x.service.get.load.rate / x.limits.hGet);
  const echoRates = r.rounds.map((x) => x.limits.grpcGet.rate);
  return (
    costs +
    `Round by round the ratio was ${spread} (table above); G alone moved between ` +
    `${f(Math.min(...echoRates))} and ${f(Math.max(...echoRates))}/s from one round to the next ` +
    `(${percent(Math.max(...echoRates) / Math.min(...echoRates) - 1)}), where the remaining gap is ` +
    `${percent(target / s.get.load.rate - 1)} of GetUser's rate. ` +
    'A Get builds no query (it runs a named statement prepared once per ' +
    'connection, hydrated by TypeORM) and makes no UUID, pino child or token hash; what is left in the ' +
    `service${profiled(r, 'GetUser')} is grpc-js and HTTP/2 framing, pg's protocol work and the writes to the PostgreSQL ` +
    'socket, which the wall-time profile also charges with the moments the event loop is preempted by the ' +
    'backend it has just woken. G and P were each measured with one peer on the machine; the service shares ' +
    'it with the client and PostgreSQL, and with anyone else on the host. What closes the rest is capacity, ' +
    'not code: the service is stateless, so a core of its own or a second process per host, and a host ' +
    'without other load.'
  );
}

function createNote(r: BenchResults): string {
  const { limits: l, service: s } = r;
  const create = perCall(s.create.load);
  const update = perCall(s.update.load);
  const raw = perCall(l.sqlCreate);
  const cores = r.machine.cores;
  const updateRatio = s.update.load.rate / l.hCreate;
  const hashing = create
    ? `${µs(s.create.cpuMicrosPerCall)} of CPU per call in the service, so ${cores} cores allow at most ` +
      `${f((cores * 1e6) / create.sum)}/s whatever the code around it does`
    : 'tens of milliseconds of CPU per call';
  const writePath = update
    ? `UpdateUser, the same write path without hashing, does ${f(s.update.load.rate)}/s = ` +
      `${f(updateRatio)}·H (${roundSpread(r, (x) => x.service.update.load.rate / x.limits.hCreate)} ` +
      `round by round; the 0.65 target ${updateRatio >= 0.65 ? 'met' : 'missed'}) at ${µs(update.sum)} per ` +
      `call across the host: service ${µs(update.server)}, PostgreSQL ${µs(update.postgres)}, Kafka ` +
      `${µs(update.kafka)}, client ${µs(update.client)}, where P's row and outbox row cost ` +
      `${µs(raw?.sum)} (PostgreSQL ${µs(raw?.postgres)}). `
    : '';
  return (
    `CreateUser is bounded by argon2id with the OWASP parameters (19 MiB, t=2, p=1): ${hashing}. It is what ` +
    'makes a stolen hash expensive to crack, so it stays; what closes it is capacity: hashing runs on ' +
    "libuv's thread pool (UV_THREADPOOL_SIZE) and scales with cores or replicas. " +
    writePath +
    'The two are not the same work. P inserts fresh rows; an update rewrites a row that each caller ' +
    'renames again and again, and because full_name is indexed (the prefix filter of ListUsers) no update ' +
    'is HOT: every index of the table gets a new entry each time. It runs five statements where P runs ' +
    'four (BEGIN; the locking SELECT, a prepared statement; the UPDATE, diffed against the row that SELECT ' +
    "read; the outbox INSERT; COMMIT), and P's outbox row is never published, while the service relays " +
    'every event to Kafka (claim, publish with acks=all, delete: the Kafka column and part of the service ' +
    'and PostgreSQL ones). What would close more of it: the outbox INSERT and the UPDATE as prepared ' +
    `statements like the reads (TypeORM builds both on every write${profiled(r, 'UpdateUser', ', as its profile below shows')}), a relay that ` +
    'lingers a few milliseconds to publish larger batches, and, as for Get, cores the service does not share.'
  );
}

/** What closes each gap when its target is missed: the issue's note, per measurement. */
const CLOSING_NOTES: Record<TargetKey, string | ((r: BenchResults) => string)> = {
  get: getNote,
  create: createNote,
  relayRaw:
    'The kit relay holds a session advisory lock, LISTENs, groups by topic and reports metrics; the remaining ' +
    'difference is per-batch bookkeeping. Larger batches (batchSize) amortise the acks=all round trip.',
  relayCreate:
    'The relay publishes sequentially (one batch in flight, acks=all, idempotent producer), so its rate is ' +
    'batch size / (claim + send + delete + commit). Larger batches, or pipelining the next claim while a send ' +
    'is in flight, raise it.',
  latency:
    'The path is commit → NOTIFY → relay claim → Kafka produce (acks=all) → consumer fetch; the median is a few ' +
    'milliseconds, the tail is not. No event waits for the poll (the relay latches a NOTIFY that arrives while ' +
    'it is busy and claims again at once; the 500 ms row shows what a missed wake-up would cost), so the tail ' +
    'is scheduling: the writer, the relay and the consumer share one event loop in this process, and Kafka ' +
    '(a JVM, with its own collector pauses) and PostgreSQL share the two cores with it, so a call that lands ' +
    'behind a pause or a busy loop waits its turn. What would narrow it: the consumer in a process of its own, ' +
    'and cores not shared with the broker.',
  list:
    'Keyset pages seek straight to the cursor on the (created_at, id) index, so depth should not matter; a ' +
    'deep page slower than the first means the cursor predicate is not used as an index condition (check ' +
    'EXPLAIN for the row-comparison) or the token decode costs more than the query.',
};

function noteOf(key: TargetKey, r: BenchResults): string {
  const note = CLOSING_NOTES[key];
  return typeof note === 'string' ? note : note(r);
}

/** Per call: each party's CPU, their sum, and the calls/s the host's cores allow at that sum. */
export function cpuRow(name: string, load: LoadResult): string {
  const x = perCall(load);
  if (!x) return `| ${name} | ${f(load.rate)} | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |`;
  const dash = (micros: number) => (micros > 0 ? f(micros) : '–');
  return `| ${name} | ${f(load.rate)} | ${f(x.client)} | ${dash(x.server)} | ${dash(x.postgres)} | ${dash(x.kafka)} | **${f(x.sum)}** | ${f(x.ceiling)}/s | ${x.busyPercent.toFixed(0)}% | ${x.othersPercent.toFixed(0)}% |`;
}

/** Every round's figure of each measurement, with how much of the host other processes took. */
function roundRows(r: BenchResults): string[] {
  const cell = (load: LoadResult) => {
    const others = load.cpu
      ? ` (${((100 * load.cpu.others) / load.cpu.capacity).toFixed(0)}%)`
      : '';
    return `${f(load.rate)}/s${others}`;
  };
  const rows: [string, (round: Round) => string][] = [
    ['G: echo, get-sized', (x) => cell(x.limits.grpcGet)],
    ['G: echo, create-sized', (x) => cell(x.limits.grpcCreate)],
    ['P: row read', (x) => cell(x.limits.sqlGet)],
    ['P: row + outbox row', (x) => cell(x.limits.sqlCreate)],
    ['GetUser', (x) => cell(x.service.get.load)],
    ['CreateUser (argon2id)', (x) => cell(x.service.create.load)],
    ['UpdateUser', (x) => cell(x.service.update.load)],
    ['GetUser / H of the round', (x) => f(x.service.get.load.rate / x.limits.hGet)],
    ['UpdateUser / H of the round', (x) => f(x.service.update.load.rate / x.limits.hCreate)],
  ];
  return [
    `| measurement | ${r.rounds.map((_, i) => `round ${i + 1}`).join(' | ')} |`,
    `|---|${r.rounds.map(() => '---').join('|')}|`,
    ...rows.map(([name, of]) => `| ${name} | ${r.rounds.map(of).join(' | ')} |`),
  ];
}

function ratioRow(t: Target, figure: string, reference: string): string {
  const met = targetMet(t) ? 'yes' : '**no**';
  return `| ${t.name} | ${figure} | ${reference} | ${f(t.value)} | ${t.sense} ${t.bound} | ${met} |`;
}

export function renderReport(r: BenchResults): string {
  const t = targets(r);
  const { limits: l, service: s, relay, list } = r;
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const notify = r.latency.find((x) => x.mode === 'notify');
  const poll = r.latency.find((x) => x.mode === 'poll-500ms');

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
    `- Run: ${r.startedAt.toISOString()}, ${Math.round(r.seconds)} s in all, ${r.config.full ? 'full' : 'default'} sizes`,
    '',
    '## Results',
    '',
    '| measurement | figure | reference | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ratioRow(t.get, `${f(s.get.load.rate)} calls/s`, `H = ${f(l.hGet)}/s`),
    ratioRow(t.create, `${f(s.create.load.rate)} calls/s`, `H = ${f(l.hCreate)}/s`),
    `| UpdateUser / H (comparison: a write without hashing) | ${f(s.update.load.rate)} calls/s | H = ${f(l.hCreate)}/s | ${f(s.update.load.rate / l.hCreate)} | (0.65) | ${s.update.load.rate / l.hCreate >= 0.65 ? 'yes' : '**no**'} |`,
    ratioRow(t.relayRaw, `${f(relay.kitRate)} events/s`, `raw ${f(relay.rawRate)}/s`),
    ratioRow(t.relayCreate, `${f(relay.kitRate)} events/s`, `create ${f(s.create.load.rate)}/s`),
    ratioRow(
      t.latency,
      `p50 ${f(notify?.p50Ms ?? NaN)} ms, p99 ${f(notify?.p99Ms ?? NaN)} ms`,
      `500 ms polling: p50 ${f(poll?.p50Ms ?? NaN)} ms, p99 ${f(poll?.p99Ms ?? NaN)} ms`,
    ),
    ratioRow(
      t.list,
      `first ${f(list.firstPageMs)} ms, deep ${f(list.deepPageMs)} ms`,
      `OFFSET: first ${f(list.offsetFirstMs)} ms, deep ${f(list.offsetDeepMs)} ms (×${f(list.offsetDeepMs / list.offsetFirstMs)})`,
    ),
    '',
    '### The parts',
    '',
    `Physical limit H = 1 / (1/G + 1/P), ${r.config.concurrency} concurrent callers, ${r.config.seconds} s measured after a warm-up;`,
    `every figure is the best of ${r.rounds.length} rounds (all of them below):`,
    '',
    '| | Get | Create / Update |',
    '|---|---|---|',
    `| G: raw grpc-js echo server (own process), request ${l.getRequestBytes} / ${l.createRequestBytes} B, reply ${l.userBytes} B | ${f(l.grpcGet.rate)}/s | ${f(l.grpcCreate.rate)}/s |`,
    `| P: raw \`pg\`, named prepared statements (row read / row + outbox row in one transaction) | ${f(l.sqlGet.rate)}/s | ${f(l.sqlCreate.rate)}/s |`,
    `| H | ${f(l.hGet)}/s | ${f(l.hCreate)}/s |`,
    '',
    '| users service call | calls/s | p50 ms | p99 ms | CPU µs per call (service process) | errors |',
    '|---|---|---|---|---|---|',
    ...(['get', 'create', 'update'] as const).map((op) => {
      const x = s[op];
      const lat = [...x.load.latenciesMs].sort((a, b) => a - b);
      const pct = (p: number) => lat[Math.max(0, Math.ceil((p / 100) * lat.length) - 1)] ?? NaN;
      const name = { get: 'GetUser', create: 'CreateUser (argon2id)', update: 'UpdateUser' }[op];
      return `| ${name} | ${f(x.load.rate)} | ${f(pct(50))} | ${f(pct(99))} | ${f(x.cpuMicrosPerCall)} | ${x.load.errors} |`;
    }),
    '',
    `Where each call's CPU goes. Client, server, PostgreSQL and Kafka share the host's ${r.machine.cores} cores, so a call`,
    'costs the sum of what each spends on it, and cores × 10⁶ µs ÷ that sum is the most calls/s the host can',
    'do at that cost (the ceiling). "Host busy" is how much of the machine was in use in the window (all',
    'processes), "others" the part of it taken by processes outside the benchmark: on a shared host, the',
    'higher that is, the lower and noisier every figure of that row.',
    '',
    '| load | calls/s | client µs | server µs | PostgreSQL µs | Kafka µs | sum µs | ceiling | host busy | others |',
    '|---|---|---|---|---|---|---|---|---|---|',
    cpuRow('G: echo, get-sized', l.grpcGet),
    cpuRow('G: echo, create-sized', l.grpcCreate),
    cpuRow('P: row read', l.sqlGet),
    cpuRow('P: row + outbox row', l.sqlCreate),
    cpuRow('GetUser', s.get.load),
    cpuRow('CreateUser (argon2id)', s.create.load),
    cpuRow('UpdateUser', s.update.load),
    '',
    `All ${r.rounds.length} rounds: G and P with the service stopped, then the service, round after round, so`,
    'that load from elsewhere on the host falls on all of them alike; in brackets, the share of the machine',
    'other processes took during that measurement. Such load only ever slows a measurement down, so each',
    "figure above is that measurement's best round, G, P and the service alike, and H is computed from the",
    'chosen G and P; the ratio of each round to its own H shows how far the figures move:',
    '',
    ...roundRows(r),
    '',
    `Outbox relay: ${f(relay.events)} user-sized events pre-filled in a scratch schema made with KitTablesV1Migration;`,
    'the kit OutboxRelay (warm) against a raw loop (SELECT … FOR UPDATE SKIP LOCKED, kafkajs sendBatch with',
    'acks=all on an idempotent producer, DELETE, COMMIT; batches of 500) over the same table.',
    '',
    `Latency: ${r.config.latencyRate} events/s for ${r.config.latencySeconds} s through inTransaction + tx.emit, timed from commit to a`,
    'kafkajs consumer receiving each event (relay and consumer in the benchmark process), after 2 s at the same',
    'rate to warm up (a new relay, producer and consumer group each time: the cold start is not the steady state):',
    '',
    '| relay | received | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    ...r.latency.map(
      (x) =>
        `| ${x.mode === 'notify' ? 'NOTIFY-driven' : 'polling every 500 ms, no trigger'} | ${x.received}/${x.sent} | ${f(x.p50Ms)} | ${f(x.p99Ms)} | ${f(x.maxMs)} |`,
    ),
    '',
    `List paging: ${f(list.rows)} users bulk-loaded; ListUsers (newest first, page_size ${list.pageSize}) for the first page and`,
    `for a page ${f(list.depthRows)} rows deep (its token reached by paging 1,000 at a time, ${f(list.pagingSeconds)} s), median of 30;`,
    'OFFSET is the same ORDER BY in raw SQL with OFFSET 0 and OFFSET at the same depth.',
    '',
  );

  const missed = (Object.keys(t) as TargetKey[]).filter((key) => !targetMet(t[key]));
  if (missed.length > 0 || r.profiles.length > 0) {
    push('## Where the time goes', '');
    for (const key of missed)
      push(
        `- **${t[key].name}** (${f(t[key].value)}, target ${t[key].sense} ${t[key].bound}): ${noteOf(key, r)}`,
      );
    push('');
    for (const p of r.profiles) {
      push(
        `### Profile: ${p.name}`,
        '',
        `A V8 CPU profile (the \`node --cpu-prof\` format) of the users service's JavaScript thread over the measured window of the same load (${f(p.summary.busyMs)} ms busy sampled; thread-pool work such as argon2id is not in it). It samples wall time: a native frame such as \`writev\` (writing to a socket) also holds the moments the thread was preempted there, typically by the process it had just woken. Self time:`,
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
    'creates a database of its own on that server and drops it afterwards. Default sizes take about five minutes',
    "on two cores. `BENCH_FULL=1` runs the issue's full sizes: 1,000,000 users for list paging, 200,000 relay",
    'events, 30 s per throughput measurement, 3 rounds and 60 s of latency. Single sizes: `BENCH_CONCURRENCY` (16),',
    '`BENCH_SECONDS` (6), `BENCH_ROUNDS` (2), `BENCH_RELAY_EVENTS` (20,000), `BENCH_LATENCY_RATE` (200/s), `BENCH_LATENCY_SECONDS` (10),',
    '`BENCH_LIST_ROWS` (200,000), `BENCH_DEPTH_PERCENT` (90), `BENCH_PROFILE` (true: profile the service where a',
    'target is missed), `BENCH_OUTPUT` (docs/performance.md).',
    '',
  );
  return lines.join('\n');
}
