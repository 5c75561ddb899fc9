import { attemptCountEntity } from '@nexus/db';
import { EmailVerificationEntity } from './credentials/email-verification.entity';
import { PasswordResetEntity } from './credentials/password-reset.entity';
import { SignInStateEntity } from './credentials/sign-in-state.entity';
import { MIGRATIONS } from './migrations';
import { SessionEntity } from './sessions/session.entity';
import { UsedRefreshTokenEntity } from './sessions/used-refresh-token.entity';
import { UserEntity } from './users/user.entity';

/**
 * Failed sign-in attempts counted under one key: a normalised login
 * (`login:ada`, whether or not such a user exists) or a source address
 * (`sign-in-source:10.0.0.7`, `reset-source:...`); the kit's AttemptThrottle.
 */
export const SIGN_IN_THROTTLES = 'sign_in_throttles';

/** The users schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'users',
  entities: [
    UserEntity,
    EmailVerificationEntity,
    SignInStateEntity,
    SessionEntity,
    UsedRefreshTokenEntity,
    attemptCountEntity(SIGN_IN_THROTTLES),
    PasswordResetEntity,
  ],
  migrations: MIGRATIONS,
};
