import { status, type ServiceError } from '@grpc/grpc-js';
import type { usersV1 } from '@nexus/proto';
import { readNotFoundId } from './not-found';
import { peerFailed } from './peer-client';
import type { CallOptions } from './promise-client';
import type { UsersClient } from './users-client';

export interface UserLookup {
  /** The users that exist, by id. */
  found: Map<string, usersV1.User>;
  /** Ids no user has. */
  missing: string[];
  /** Ids of users that exist but are deactivated. */
  inactive: string[];
}

/**
 * Looks users up by id with the caller's token. BatchGetUsers is all or
 * nothing, so an unknown id is set aside and the rest asked again: one call
 * when every id exists, which is the common case.
 */
export async function lookUpUsers(
  client: UsersClient,
  ids: readonly string[],
  options: CallOptions,
): Promise<UserLookup> {
  const missing: string[] = [];
  let remaining = [...new Set(ids)];
  while (remaining.length > 0) {
    try {
      const { users } = await client.batchGetUsers({ ids: remaining }, options);
      const found = new Map(users.map((user) => [user.id, user]));
      const inactive = users.filter((user) => !user.isActive).map((user) => user.id);
      return { found, missing, inactive };
    } catch (error) {
      const id =
        (error as ServiceError).code === status.NOT_FOUND
          ? readNotFoundId(error as ServiceError)
          : null;
      // A NOT_FOUND naming no id asked for is the users service's fault, not the caller's.
      if (!id || !remaining.includes(id))
        throw (error as ServiceError).code === status.NOT_FOUND ? peerFailed('users') : error;
      missing.push(id);
      remaining = remaining.filter((candidate) => candidate !== id);
    }
  }
  return { found: new Map(), missing, inactive: [] };
}
