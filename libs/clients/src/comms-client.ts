import { commsV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export type EmailClient = PromiseClient<typeof commsV1.EmailServiceService>;
export type ChatClient = PromiseClient<typeof commsV1.ChatServiceService>;

export interface CommsClient {
  email: EmailClient;
  chat: ChatClient;
  close(): void;
}

/** nexus.comms.v1.EmailService and ChatService on one address. */
export function createCommsClient(options: ClientOptions): CommsClient {
  const email = createPromiseClient(commsV1.EmailServiceService, options);
  const chat = createPromiseClient(commsV1.ChatServiceService, options);
  return {
    email,
    chat,
    close: () => {
      email.close();
      chat.close();
    },
  };
}
