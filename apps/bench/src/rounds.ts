import { Client } from 'pg';
import { medianOfRounds } from '@nexus/testing';
import { measureArgon2Ceiling } from './argon2-ceiling';
import { CpuMeter, type CpuParties } from './cpu-meter';
import { startEchoProcess } from './echo-process';
import { closedLoop, type LoadResult } from './load';
import { RawSql } from './raw-sql';
import type { Scenario, ScenarioRun } from './scenario';
import type { Platform } from './services';
import { seriesLimit } from './stats';

export interface LoadShape {
  concurrency: number;
  seconds: number;
}

/** A scenario after seeding, with the encoded sizes of one real call. */
export interface SeededCall {
  scenario: Scenario;
  run: ScenarioRun;
  request: Uint8Array;
  reply: Uint8Array;
}

/** One call in one round: its reference's parts and the service. */
export interface CallRound {
  /** G: the echo with the call's sizes (H calls only). */
  g?: LoadResult;
  /** P: the call's SQL, raw (H calls only). */
  p?: LoadResult;
  /** argon2id alone (CreateUser). */
  ceiling?: LoadResult;
  service: LoadResult;
  /** H of this round, or the ceiling's rate. */
  reference: number;
  ratio: number;
}

/** A call over every round: the median ratio, its spread, and the round it came from. */
export interface CallFigures {
  scenario: Scenario;
  requestBytes: number;
  replyBytes: number;
  rounds: CallRound[];
  ratio: { median: number; min: number; max: number; rounds: number };
  /** The round whose ratio is the median (the lower middle one for an even count): its parts and CPU. */
  typical: CallRound;
}

const OUTBOX_SCHEMAS = ['users', 'work', 'content', 'comms'];

/**
 * One round: G for every call (one echo process, a method per reply size),
 * argon2id alone, P for every call, all with the services stopped, then the
 * services, each call in turn. Whatever else runs on the host meanwhile
 * falls on all of them alike.
 */
export async function measureRound(options: {
  calls: readonly SeededCall[];
  startPlatform: () => Promise<Platform>;
  databaseUrl: string;
  token: string;
  shape: LoadShape;
  tag: string;
  parties: CpuParties;
  log: (line: string) => void;
}): Promise<CallRound[]> {
  const { calls, shape, parties, log, tag } = options;
  const g = new Map<number, LoadResult>();
  const p = new Map<number, LoadResult>();
  const ceiling = new Map<number, LoadResult>();

  const echo = await startEchoProcess(
    calls.map((call) => call.reply),
    options.token,
  );
  try {
    const meter = new CpuMeter({ ...parties, server: echo.pid });
    for (const [i, call] of calls.entries()) {
      if (call.scenario.reference.kind !== 'h') continue;
      g.set(
        i,
        await closedLoop({ ...shape, meter, call: () => echo.call(i, call.request).then() }),
      );
      log(`  G ${call.scenario.name}: ${rateOf(g.get(i))}`);
    }
  } finally {
    await echo.stop();
  }
  for (const [i, call] of calls.entries()) {
    if (call.scenario.reference.kind !== 'argon2id') continue;
    ceiling.set(i, await measureArgon2Ceiling(shape, parties));
    log(`  argon2id alone: ${rateOf(ceiling.get(i))}`);
  }
  const sql = await RawSql.connect(options.databaseUrl, shape.concurrency);
  try {
    const meter = new CpuMeter(parties);
    for (const [i, { scenario, run }] of calls.entries()) {
      const raw = run.raw;
      if (!raw) continue;
      p.set(i, await closedLoop({ ...shape, meter, call: (w, n) => raw(sql, `${tag}p`, w, n) }));
      log(`  P ${scenario.name}: ${rateOf(p.get(i))}`);
    }
  } finally {
    await sql.close();
  }
  // P's events: nobody relays them, and the services' relays must not spend the next phase on them.
  await clearOutboxes(options.databaseUrl);

  const platform = await options.startPlatform();
  const results: CallRound[] = [];
  try {
    for (const [i, { scenario, run }] of calls.entries()) {
      const service = await closedLoop({
        ...shape,
        meter: new CpuMeter({ ...parties, server: platform.pid(scenario.service) }),
        call: (w, n) => run.call(platform.clients, `${tag}s`, w, n),
      });
      const reference =
        scenario.reference.kind === 'h'
          ? seriesLimit(g.get(i)?.rate ?? 0, p.get(i)?.rate ?? 0)
          : (ceiling.get(i)?.rate ?? 0);
      const errors = service.errors > 0 ? `, ${service.errors} errors: ${service.firstError}` : '';
      log(`  ${scenario.name}: ${rateOf(service)}${errors}`);
      results.push({
        g: g.get(i),
        p: p.get(i),
        ceiling: ceiling.get(i),
        service,
        reference,
        ratio: reference > 0 ? service.rate / reference : Number.NaN,
      });
    }
  } finally {
    await platform.stop();
  }
  return results;
}

/** Every call's rounds (rounds[r][i] is call i in round r) as its median ratio and spread. */
export function summariseRounds(
  calls: readonly SeededCall[],
  rounds: readonly CallRound[][],
): CallFigures[] {
  return calls.map((call, i) => {
    const own = rounds.map((round) => {
      const figure = round[i];
      if (!figure) throw new Error(`round without ${call.scenario.name}`);
      return figure;
    });
    const sorted = [...own].sort((a, b) => order(a.ratio) - order(b.ratio));
    const typical = sorted[Math.floor((sorted.length - 1) / 2)];
    return {
      scenario: call.scenario,
      requestBytes: call.request.length,
      replyBytes: call.reply.length,
      rounds: own,
      ratio: medianRatio(own.map((x) => x.ratio)),
      typical,
    };
  });
}

/** The median of the rounds that measured something; NaN when none did. */
function medianRatio(ratios: number[]): CallFigures['ratio'] {
  const measured = ratios.filter(Number.isFinite);
  if (measured.length === 0) return { median: NaN, min: NaN, max: NaN, rounds: 0 };
  return medianOfRounds(measured);
}

/** NaN (nothing measured) sorts first, as the worst. */
const order = (value: number): number => (Number.isFinite(value) ? value : -Infinity);

const rateOf = (load: LoadResult | undefined): string =>
  load ? `${load.rate.toFixed(0)}/s` : 'not measured';

export async function clearOutboxes(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of OUTBOX_SCHEMAS) await client.query(`DELETE FROM "${schema}"."outbox"`);
  } finally {
    await client.end();
  }
}
