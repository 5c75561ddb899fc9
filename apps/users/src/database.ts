import { EmailVerificationEntity } from './credentials/email-verification.entity';
import { PasswordResetEntity } from './credentials/password-reset.entity';
import { SignInStateEntity } from './credentials/sign-in-state.entity';
import { SignInThrottleEntity } from './credentials/sign-in-throttle.entity';
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
    SignInThrottleEntity,
    PasswordResetEntity,
  ],
  migrations: MIGRATIONS,
};
