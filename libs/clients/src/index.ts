// Typed gRPC clients for every platform service, for other platform code.
import { usersV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export {
  createPromiseClient,
  type CallOptions,
  type ClientOptions,
  type PromiseClient,
} from './promise-client';

export type UsersClient = PromiseClient<typeof usersV1.UserServiceService>;

export function createUsersClient(options: ClientOptions): UsersClient {
  return createPromiseClient(usersV1.UserServiceService, options);
}
