import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '@nexus/db';
import { UsersError } from '../users.errors';
import type { ThrottleLimits, ThrottlePolicy } from './sign-in-throttle.config';
import {
  clientAddress,
  loginKey,
  retryAfterSeconds,
  sourceKey,
  type AttemptSource,
} from './sign-in-throttle';

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
 * The refusal of a throttled attempt. It names neither the key nor the
 * account, and is the same for a login that exists and one that does not.
 * The wait travels twice: as google.rpc.RetryInfo (what gRPC client
 * libraries read) and in ErrorInfo's metadata (what a person reads).
 */
export function throttled(retryAfter: number): UsersError {
  return new UsersError(
    'SIGN_IN_THROTTLED',
    `too many failed attempts; retry in ${retryAfter} s`,
    [],
    { retry_after_seconds: String(retryAfter) },
    { retryDelaySeconds: retryAfter },
  );
}

/**
 * Failed-attempt counts per key (sign_in_throttles). An attempt is counted
 * before it is checked, with every key it concerns in one transaction, so
 * concurrent attempts cannot all slip in below a limit; a key that is closed
 * refuses the attempt without counting it. A right password then clears its
 * login's count and takes the attempt back from the source's.
 */
export class SignInThrottleStore {
  private lastPrune = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: ThrottlePolicy,
  ) {}

  /** Counts a sign-in attempt for `login` from `source`, or refuses it while either is closed. */
  async admitSignIn(login: string, source: AttemptSource): Promise<void> {
    await this.admit([
      { key: loginKey(login), limits: this.policy.login },
      { key: this.sourceKeyOf('sign-in', source), limits: this.policy.source },
    ]);
  }

  /** The right password: the login starts from zero, the source's count loses this attempt. */
  async signedIn(login: string, source: AttemptSource): Promise<void> {
    await this.clear([loginKey(login)]);
    await this.takeBack(this.sourceKeyOf('sign-in', source));
  }

  /**
   * Counts a password reset request from `source` (with its own count, held
   * to the source limits), or refuses it while the source is closed.
   */
  async admitResetRequest(source: AttemptSource): Promise<void> {
    await this.admit([{ key: this.sourceKeyOf('reset', source), limits: this.policy.source }]);
  }

  /** An admin's unlock: the counts of every login of the user start from zero. */
  async unlock(logins: readonly string[], manager: EntityManager): Promise<void> {
    await this.clear(logins.map(loginKey), manager);
  }

  private sourceKeyOf(scope: 'sign-in' | 'reset', source: AttemptSource): string {
    return sourceKey(scope, clientAddress(source, this.policy.trustedProxies));
  }

  /** Counts one attempt under every key, or throws SIGN_IN_THROTTLED (counting nothing) while one is closed. */
  private async admit(keys: readonly ThrottleKey[]): Promise<void> {
    await this.pruneNowAndThen();
    const names = keys.map((k) => k.key).sort();
    await inTransaction(this.dataSource, null, async (tx) => {
      // Every key gets a row first (a zero count where it had none), so that
      // the lock below holds for a login never tried before too: without
      // it, a first burst of concurrent attempts would all find no row and
      // all be let through. Rows are taken in key order: no deadlock.
      await tx.manager.query(
        `INSERT INTO "users"."sign_in_throttles" (key, failures, last_failure_at)
         SELECT key, 0, clock_timestamp() FROM unnest($1::text[]) AS key ORDER BY key
         ON CONFLICT (key) DO NOTHING`,
        [names],
      );
      const rows: CountRow[] = await tx.manager.query(
        `SELECT key, failures, extract(epoch FROM clock_timestamp() - last_failure_at)::float8 AS since
           FROM "users"."sign_in_throttles" WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
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
      if (wait > 0) throw throttled(wait); // rolls back the zero rows too
      await tx.manager.query(
        `UPDATE "users"."sign_in_throttles" SET
           failures = CASE WHEN last_failure_at < clock_timestamp() - make_interval(secs => $2)
                           THEN 1 ELSE failures + 1 END,
           last_failure_at = clock_timestamp()
         WHERE key = ANY($1::text[])`,
        [names, this.policy.resetSeconds],
      );
    });
  }

  private async clear(
    keys: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(`DELETE FROM "users"."sign_in_throttles" WHERE key = ANY($1)`, [keys]);
  }

  private async takeBack(key: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE "users"."sign_in_throttles" SET failures = greatest(failures - 1, 0) WHERE key = $1`,
      [key],
    );
  }

  /** Counts nobody has added to for the reset time are forgotten anyway: delete them. */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = Date.now();
    await this.dataSource.query(
      `DELETE FROM "users"."sign_in_throttles"
        WHERE last_failure_at < now() - make_interval(secs => $1)`,
      [this.policy.resetSeconds],
    );
  }
}
