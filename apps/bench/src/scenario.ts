import type { RawSql } from './raw-sql';
import type { PlatformClients, ServiceName } from './services';

/** What a call is held against. */
export type Reference =
  /** H = 1 / (1/G + 1/P) of the call's own sizes and SQL. */
  | { kind: 'h'; bound: number }
  /** argon2id hashing alone, same parameters and concurrency: the call exists to hash. */
  | { kind: 'argon2id'; bound: number };

/** A caller the services know: a real user of the users service and its token. */
export interface Caller {
  id: string;
  token: string;
}

export interface SeedContext {
  clients: PlatformClients;
  databaseUrl: string;
  caller: Caller;
  /** One writer per concurrent caller, so writers do not queue on each other's row locks. */
  concurrency: number;
  tag: string;
}

/** A seeded scenario: everything that needs the seed's ids. */
export interface ScenarioRun {
  /** One service call through the generated client; `tag` keeps values unique per measurement. */
  call: (clients: PlatformClients, tag: string, worker: number, n: number) => Promise<void>;
  /** A real request and its reply, encoded: G echoes messages of these sizes. */
  sample(
    clients: PlatformClients,
    tag: string,
  ): Promise<{ request: Uint8Array; reply: Uint8Array }>;
  /** The same SQL work with raw `pg` (P); absent when the reference is not H. */
  raw?: (sql: RawSql, tag: string, worker: number, n: number) => Promise<void>;
}

export interface Scenario {
  /** The RPC, e.g. `UpdateTask`. */
  name: string;
  /** The process that serves it (measured and profiled). */
  service: ServiceName;
  reference: Reference;
  /** What P does, in a few words, for the report. */
  rawWork: string;
  /** Runs with the services up, once per benchmark. */
  seed: (context: SeedContext) => Promise<ScenarioRun>;
}

/** `worker`'s own item of a seeded list (each caller writes its own rows). */
export function own<T>(items: readonly T[], worker: number): T {
  const item = items[worker % items.length];
  if (item === undefined) throw new Error('nothing seeded');
  return item;
}

/** A spread of reads over a seeded list. */
export function spread<T>(items: readonly T[], worker: number, n: number): T {
  return own(items, worker * 7919 + n);
}
