// Typed gRPC clients for every platform service, for other platform code.
export { readNotFoundId } from './not-found';
export {
  createPromiseClient,
  type CallOptions,
  type ClientOptions,
  type PromiseClient,
} from './promise-client';
export { lookUpUsers, type UserLookup } from './user-lookup';
export { createUsersClient, type UsersClient } from './users-client';
