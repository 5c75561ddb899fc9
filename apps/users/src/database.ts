import { attemptCountEntity } from '@nexus/db';
import { EmailVerificationEntity } from './credentials/email-verification.entity';
import { PasswordResetEntity } from './credentials/password-reset.entity';
import { SignInStateEntity } from './credentials/sign-in-state.entity';
import { SIGN_IN_THROTTLES } from './credentials/sign-in-throttle.store';
import { MIGRATIONS } from './migrations';
import { SessionEntity } from './sessions/session.entity';
import { UsedRefreshTokenEntity } from './sessions/used-refresh-token.entity';
import { UserEntity } from './users/user.entity';

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
