import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isAdmin, uuidv7, type Principal } from '@nexus/core';
import { inTransaction, type CrudRepository } from '@nexus/db';
import { UsersError } from '../users.errors';
import { activeCaller } from '../users/active-caller';
import { checkSelf } from '../users/user-access';
import { UserEntity } from '../users/user.entity';
import type { IssuedSession, SessionService } from '../sessions/session.service';
import { EmailVerificationEntity } from './email-verification.entity';
import type { PasswordHasher } from './password-hasher';
import { hashIssuedToken } from './token-hash';
import { setPassword } from './password-write';
import type { AttemptSource } from './sign-in-throttle';
import type { SignInThrottleStore } from './sign-in-throttle.store';
import type { SignInState, SignInStore } from './sign-in.store';

/** Marks an unused verification token used and returns it; nothing when it is unknown or used. */
const CLAIM_VERIFICATION_SQL = `
  UPDATE "users"."email_verifications" SET used_at = now()
  WHERE token_hash = $1 AND used_at IS NULL
  RETURNING user_id, email, expires_at`;

interface VerificationRow {
  user_id: string;
  email: string;
  expires_at: Date;
}

const invalidCredentials = () => new UsersError('INVALID_CREDENTIALS', 'invalid login or password');

/** Passwords, sign-in and email verification. */
export class CredentialsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: CrudRepository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly verificationTtlSeconds: number,
    private readonly signIns: SignInStore,
    private readonly sessions: SessionService,
    private readonly throttle: SignInThrottleStore,
  ) {}

  /**
   * Checks a login (email or username) and password; an unknown login costs
   * the same time. The outcome is counted in the sign-in bookkeeping, which
   * is not the user resource: whoever tries, the user's etag stays and no
   * event is published (the caller is not authenticated, so an attempt by a
   * stranger must not look like a change by the user). A successful sign-in
   * starts a session (`client` says what signed in), whose id the access
   * token carries. Around the password check, the throttle counts the
   * attempt for the login and for the `source` address, or refuses it while
   * either is closed, the same whether or not the login exists.
   */
  async authenticate(
    login: string,
    password: string,
    client: string,
    source: AttemptSource,
  ): Promise<IssuedSession> {
    await this.throttle.admitSignIn(login, source);
    const user = await this.dataSource.manager.findOne(UserEntity, {
      where: login.includes('@') ? { email: login } : { username: login },
    });
    const valid = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user) throw invalidCredentials();
    if (!valid) {
      await this.signIns.recordFailure(user.id);
      throw invalidCredentials();
    }
    await this.throttle.signedIn(login, source);
    const signIn = await this.signIns.recordSuccess(user.id, user.isActive);
    if (!user.isActive) throw new UsersError('ACCOUNT_INACTIVE', 'this account is deactivated');
    return this.sessions.start(user, client, signIn);
  }

  async changePassword(
    caller: Principal,
    id: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<void> {
    checkSelf(caller, id, 'change the password of');
    const user = await this.users.get(id);
    if (!(await this.hasher.verify(user.passwordHash, oldPassword))) {
      throw new UsersError('WRONG_PASSWORD', 'the old password is wrong', [
        {
          field: 'old_password',
          description: 'does not match the current password',
          reason: 'WRONG_PASSWORD',
        },
      ]);
    }
    const passwordHash = await this.hasher.hash(newPassword);
    await inTransaction(this.dataSource, caller.userId, async (tx) => {
      await setPassword(tx, this.users, id, passwordHash, await activeCaller(tx, caller, id));
      // Whoever else held a session (or a stolen refresh token) is out.
      await this.sessions.endAllSessions(tx, id, 'PASSWORD_CHANGED');
    });
  }

  /**
   * Issues a single-use token proving the user's current email. The token is
   * returned to admins only (the mail sender acts as one); others get it by mail.
   */
  async requestEmailVerification(
    caller: Principal,
    id: string,
  ): Promise<{ token: string; expiresAt: Date }> {
    if (!isAdmin(caller)) checkSelf(caller, id, 'verify the email of');
    const user = await this.users.get(id);
    if (user.emailVerified)
      throw new UsersError('ALREADY_VERIFIED', 'this email is already verified');
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.verificationTtlSeconds * 1000);
    await inTransaction(this.dataSource, caller.userId, async (tx) => {
      // Not a change of the user (no event), but a write all the same; it
      // locks no user row of its own, so the caller's is held FOR SHARE.
      await activeCaller(tx, caller, null);
      await tx.manager.insert(EmailVerificationEntity, {
        id: uuidv7(),
        userId: id,
        email: user.email,
        tokenHash: hashIssuedToken(token),
        expiresAt,
        usedAt: null,
      });
    });
    return { token: isAdmin(caller) ? token : '', expiresAt };
  }

  /**
   * Marks the email verified if the token is known, unused, unexpired and
   * still for the user's email. The token was issued to the user or an admin,
   * so the answer is the full view.
   */
  async verifyEmail(token: string): Promise<{ user: UserEntity; signIn: SignInState }> {
    const user = await inTransaction(this.dataSource, null, async (tx) => {
      // Claimed by marking it used in one statement: a concurrent claim of the
      // same token waits for this transaction and then finds it used. A refusal
      // below rolls the claim back.
      // (An UPDATE answers its rows and its count.)
      const [rows] = await tx.manager.query<[VerificationRow[], number]>(CLAIM_VERIFICATION_SQL, [
        hashIssuedToken(token),
      ]);
      const record = rows[0];
      const invalid = () =>
        new UsersError(
          'INVALID_VERIFICATION_TOKEN',
          'the token is invalid, expired or already used',
          [
            {
              field: 'token',
              description: 'is invalid, expired or already used',
              reason: 'INVALID_TOKEN',
            },
          ],
        );
      if (!record || record.expires_at.getTime() < Date.now()) throw invalid();
      if (!(await this.users.find(record.user_id, { manager: tx.manager }))) throw invalid();
      return this.users.update(tx, record.user_id, {
        // Under the user's row lock: an email changed meanwhile is not the one the
        // token verifies, and a deactivated account changes nothing.
        authorize: (u) => {
          if (record.email !== u.email) throw invalid();
          if (!u.isActive) throw new UsersError('ACCOUNT_INACTIVE', 'this account is deactivated');
        },
        apply: (u) => {
          u.emailVerified = true;
        },
      });
    });
    return { user, signIn: await this.signIns.stateOf(user.id) };
  }
}
