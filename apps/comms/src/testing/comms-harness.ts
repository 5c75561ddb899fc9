import { createPromiseClient, type PromiseClient } from '@nexus/clients';
import { commsV1 } from '@nexus/proto';
import { startService, type RunningService } from '@nexus/runtime';
import { startUsersProcess, type TestUser, type UsersProcess } from '@nexus/testing';
import { commsService } from '../comms.app';
import { commsConfig } from '../config';

export type EmailClient = PromiseClient<typeof commsV1.EmailServiceService>;
export type ChatClient = PromiseClient<typeof commsV1.ChatServiceService>;

/** A comms service on loopback, wired to a real users service, with clients for both APIs. */
export interface CommsHarness {
  users: UsersProcess;
  service: RunningService;
  email: EmailClient;
  chat: ChatClient;
  signUp(): Promise<TestUser>;
  stop(): Promise<void>;
}

/**
 * `env` overrides the configuration; attachments are checked for format only
 * unless it says otherwise. Given a running users process, comms uses it
 * and leaves it running on stop; otherwise it starts and stops its own.
 */
export async function startComms(
  env: Record<string, string> = {},
  sharedUsers?: UsersProcess,
): Promise<CommsHarness> {
  const users = sharedUsers ?? (await startUsersProcess());
  const config = commsConfig({
    ...process.env,
    BIND_HOST: '127.0.0.1',
    COMMS_GRPC_PORT: '0',
    COMMS_HTTP_PORT: '0',
    USERS_GRPC_ADDRESS: users.address,
    CONTENT_ATTACHMENT_CHECK: 'false',
    ...env,
  });
  const service = await startService(commsService(config), config.service);
  const address = `127.0.0.1:${service.grpcPort}`;
  const email = createPromiseClient(commsV1.EmailServiceService, { address });
  const chat = createPromiseClient(commsV1.ChatServiceService, { address });
  return {
    users,
    service,
    email,
    chat,
    signUp: () => users.signUp(),
    stop: async () => {
      email.close();
      chat.close();
      await service.stop();
      if (!sharedUsers) await users.stop();
    },
  };
}

/** Call options acting as `user`. */
export { as } from '@nexus/testing';
