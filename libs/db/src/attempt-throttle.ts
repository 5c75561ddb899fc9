import { Column, Entity, Index, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import { retryAfterSeconds, type BackoffPolicy, type ThrottleLimits } from '@nexus/core';
import { inTransaction } from './transaction';

/** A key and the limits it is held to. */
export interface ThrottleKey {
  key: string;
  limits: ThrottleLimits;
}

interface CountRow {
  key: string;
  failures: number;
  since: number;
}

/** How often (at most) a process deletes counts older than the reset time. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Failed-attempt counts per key, for anything guarded by a secret (sign-in,
 * a link's password). An attempt is counted before it is checked, with
 * every key it concerns in one transaction, so concurrent attempts cannot
 * all slip in below a limit; a key that is closed refuses the attempt
 * without counting it. A right secret then clears or takes back its counts.
 *
 * The counts live in a table of the service's schema, its entity made by
 * attemptCountEntity: bookkeeping, not a resource, so no event.
 */
export class AttemptThrottle {
  private lastPrune = 0;
  /** Schema-qualified and quoted, for the SQL below. */
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    where: { schema: string; table: string },
    private readonly policy: BackoffPolicy,
    /** The error that refuses a throttled attempt, given the seconds to wait. */
    private readonly refusal: (retryAfterSeconds: number) => Error,
  ) {
    this.table = `"${where.schema}"."${where.table}"`;
  }

  /** Counts one attempt under every key, or throws the refusal (counting nothing) while one is closed. */
  async admit(keys: readonly ThrottleKey[]): Promise<void> {
    await this.pruneNowAndThen();
    const names = keys.map((k) => k.key).sort();
    await inTransaction(this.dataSource, null, async (tx) => {
      // Every key gets a row first (a zero count where it had none), so that
      // the lock below holds for a key never tried before too: without it,
      // a first burst of concurrent attempts would all find no row and all
      // be let through. Rows are taken in key order: no deadlock.
      await tx.manager.query(
        `INSERT INTO ${this.table} (key, failures, last_failure_at)
         SELECT key, 0, clock_timestamp() FROM unnest($1::text[]) AS key ORDER BY key
         ON CONFLICT (key) DO NOTHING`,
        [names],
      );
      const rows: CountRow[] = await tx.manager.query(
        `SELECT key, failures, extract(epoch FROM clock_timestamp() - last_failure_at)::float8 AS since
           FROM ${this.table} WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
        [names],
      );
      const wait = Math.max(
        0,
        ...keys.map(({ key, limits }) => {
          const row = rows.find((r) => r.key === key);
          if (!row) return 0;
          const count = { failures: row.failures, secondsSinceLastFailure: row.since };
          return retryAfterSeconds(count, limits, this.policy);
        }),
      );
      if (wait > 0) throw this.refusal(wait); // rolls back the zero rows too
      await tx.manager.query(
        `UPDATE ${this.table} SET
           failures = CASE WHEN last_failure_at < clock_timestamp() - make_interval(secs => $2)
                           THEN 1 ELSE failures + 1 END,
           last_failure_at = clock_timestamp()
         WHERE key = ANY($1::text[])`,
        [names, this.policy.resetSeconds],
      );
    });
  }

  /** The keys start from zero (a right secret, an admin's unlock). */
  async clear(
    keys: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(`DELETE FROM ${this.table} WHERE key = ANY($1)`, [keys]);
  }

  /** The key's count loses one attempt (a right secret from a source that also tried others). */
  async takeBack(key: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.table} SET failures = greatest(failures - 1, 0) WHERE key = $1`,
      [key],
    );
  }

  /** Counts nobody has added to for the reset time are forgotten anyway: delete them. */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE last_failure_at < now() - make_interval(secs => $1)`,
      [this.policy.resetSeconds],
    );
  }
}

/**
 * The entity of an AttemptThrottle's table `table`, for the service's
 * entity list (and so its migrations and drift check): one count per key.
 */
export function attemptCountEntity(table: string): new () => AttemptCount {
  @Entity({ name: table })
  class AttemptCountEntity implements AttemptCount {
    @PrimaryColumn({ type: 'text', primaryKeyConstraintName: `PK_${table}` })
    key!: string;

    /** Attempts counted since the count last started, an attempt still being checked included. */
    @Column({ type: 'integer' })
    failures!: number;

    /** Pruning finds forgotten counts by it. */
    @Index(`IDX_${table}_last_failure_at`)
    @Column({ type: 'timestamptz', precision: 3 })
    lastFailureAt!: Date;
  }
  return AttemptCountEntity;
}

/** One key's row. */
export interface AttemptCount {
  key: string;
  failures: number;
  lastFailureAt: Date;
}
