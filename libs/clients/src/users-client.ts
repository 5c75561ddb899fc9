import { usersV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export type UsersClient = PromiseClient<typeof usersV1.UserServiceService>;

/** nexus.users.v1.UserService. */
export function createUsersClient(options: ClientOptions): UsersClient {
  return createPromiseClient(usersV1.UserServiceService, options);
}
