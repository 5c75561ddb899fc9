import { CrudRepository } from '@nexus/db';
import { startPeriodicJob, type ServiceSpec } from '@nexus/runtime';
import { usersV1 } from '@nexus/proto';
import type { UsersConfig } from './config';
import { credentialHandlers } from './credentials/credentials.grpc';
import { CredentialsService } from './credentials/credentials.service';
import { PasswordHasher } from './credentials/password-hasher';
import { PasswordResetService } from './credentials/password-reset.service';
import { SignInThrottleStore } from './credentials/sign-in-throttle.store';
import { SignInUnlockService } from './credentials/sign-in-unlock.service';
import { SignInStore } from './credentials/sign-in.store';
import { TokenSigner } from './credentials/token-signer';
import { database } from './database';
import { sessionAggregate } from './sessions/session.aggregate';
import { SessionEntity } from './sessions/session.entity';
import { SessionPurger } from './sessions/session-purger';
import { sessionHandlers } from './sessions/session.grpc';
import { SessionService } from './sessions/session.service';
import { SessionStore } from './sessions/session.store';
import { bootstrapAdmin } from './users/bootstrap-admin';
import { userAggregate } from './users/user.aggregate';
import { UserEntity } from './users/user.entity';
import { userServiceHandlers } from './users/user.grpc';
import { UserService } from './users/user.service';

/** The users service: the directory, credentials, sessions and the token signer. */
export function usersService(config: UsersConfig): ServiceSpec {
  const hasher = new PasswordHasher();
  const signer = new TokenSigner(
    config.jwtPrivateKey,
    config.service.env.JWT_PUBLIC_KEY,
    config.accessTokenTtlSeconds,
  );
  let userService: UserService | undefined;

  return {
    name: 'users',
    ...database,
    aggregates: [userAggregate, sessionAggregate],
    bind: ({ dataSource, pageTokens, rpc }) => {
      const repository = new CrudRepository(dataSource, UserEntity, userAggregate, pageTokens);
      const signIns = new SignInStore(dataSource);
      const throttle = new SignInThrottleStore(dataSource, config.signInThrottle);
      const sessions = new SessionService(
        new CrudRepository(dataSource, SessionEntity, sessionAggregate, pageTokens),
        repository,
        new SessionStore(),
        signer,
        config.sessions,
        signIns,
      );
      userService = new UserService(
        dataSource,
        repository,
        hasher,
        config.selfSignupEnabled,
        signIns,
        sessions,
      );
      const credentials = new CredentialsService(
        dataSource,
        repository,
        hasher,
        config.emailVerificationTtlSeconds,
        signIns,
        sessions,
        throttle,
      );
      const resets = new PasswordResetService(
        dataSource,
        repository,
        hasher,
        throttle,
        sessions,
        config.passwordReset,
      );
      const unlocks = new SignInUnlockService(dataSource, repository, throttle, signIns);
      return [
        {
          name: 'nexus.users.v1.UserService',
          definition: usersV1.UserServiceService,
          implementation: {
            ...userServiceHandlers(rpc, userService, credentials, signer),
            ...sessionHandlers(rpc, sessions),
            ...credentialHandlers(rpc, resets, unlocks),
          },
        },
      ];
    },
    background: ({ dataSource, pageTokens, logger }) => {
      const purger = new SessionPurger(
        new CrudRepository(dataSource, SessionEntity, sessionAggregate, pageTokens),
        config.sessions.retentionSeconds,
        logger,
      );
      return [
        startPeriodicJob({
          name: 'session-purge',
          intervalMs: config.sessions.purgeIntervalSeconds * 1000,
          logger,
          run: async () => {
            await purger.purgeExpired();
          },
        }),
      ];
    },
    afterStart: async ({ dataSource, logger }) => {
      if (config.bootstrapAdmin && userService) {
        await bootstrapAdmin(dataSource, userService, config.bootstrapAdmin, logger);
      }
    },
  };
}
