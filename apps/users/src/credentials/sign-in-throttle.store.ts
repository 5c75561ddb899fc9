import type { DataSource, EntityManager } from 'typeorm';
import { AttemptThrottle } from '@nexus/db';
import { SIGN_IN_THROTTLES, database } from '../database';
import { UsersError } from '../users.errors';
import type { ThrottlePolicy } from './sign-in-throttle.config';
import { clientAddress, loginKey, sourceKey, type AttemptSource } from './sign-in-throttle';

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
 * Sign-in's failed-attempt counts (sign_in_throttles), on the kit's
 * AttemptThrottle: per normalised login and per source address. A right
 * password clears its login's count and takes the attempt back from the
 * source's.
 */
export class SignInThrottleStore {
  private readonly throttle: AttemptThrottle;

  constructor(
    dataSource: DataSource,
    private readonly policy: ThrottlePolicy,
  ) {
    this.throttle = new AttemptThrottle(
      dataSource,
      { schema: database.schema, table: SIGN_IN_THROTTLES },
      policy,
      throttled,
    );
  }

  /** Counts a sign-in attempt for `login` from `source`, or refuses it while either is closed. */
  async admitSignIn(login: string, source: AttemptSource): Promise<void> {
    await this.throttle.admit([
      { key: loginKey(login), limits: this.policy.login },
      { key: this.sourceKeyOf('sign-in', source), limits: this.policy.source },
    ]);
  }

  /** The right password: the login starts from zero, the source's count loses this attempt. */
  async signedIn(login: string, source: AttemptSource): Promise<void> {
    await this.throttle.clear([loginKey(login)]);
    await this.throttle.takeBack(this.sourceKeyOf('sign-in', source));
  }

  /**
   * Counts a password reset request from `source` (with its own count, held
   * to the source limits), or refuses it while the source is closed.
   */
  async admitResetRequest(source: AttemptSource): Promise<void> {
    await this.throttle.admit([
      { key: this.sourceKeyOf('reset', source), limits: this.policy.source },
    ]);
  }

  /** An admin's unlock: the counts of every login of the user start from zero. */
  async unlock(logins: readonly string[], manager: EntityManager): Promise<void> {
    await this.throttle.clear(logins.map(loginKey), manager);
  }

  private sourceKeyOf(scope: 'sign-in' | 'reset', source: AttemptSource): string {
    return sourceKey(scope, clientAddress(source, this.policy.trustedProxies));
  }
}
