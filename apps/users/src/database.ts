import { EmailVerificationEntity } from './credentials/email-verification.entity';
import { SignInStateEntity } from './credentials/sign-in-state.entity';
import { MIGRATIONS } from './migrations';
import { UserEntity } from './users/user.entity';

/** The users schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'users',
  entities: [UserEntity, EmailVerificationEntity, SignInStateEntity],
  migrations: MIGRATIONS,
};
