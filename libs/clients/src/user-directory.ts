import { KitError, type FieldViolation, type Principal } from '@nexus/core';
import { usersV1 } from '@nexus/proto';
import { createPeerClient, type PeerOptions } from './peer-client';
import { lookUpUsers } from './user-lookup';
import type { UsersClient } from './users-client';

/** A user id a request names, with the request field it came from (`member_ids[1]`). */
export interface NamedUser {
  id: string;
  field: string;
}

/** How the directory names a user: their full name and email address. */
export interface DirectoryEntry {
  fullName: string;
  email: string;
}

/**
 * The users service as every other service asks it: whether the users a
 * request names exist and are active, with the caller's token and deadline.
 * One answer everywhere: INVALID_ARGUMENT `UNKNOWN_USER` with a field
 * violation per offending user; the users service down, slow or hanging is
 * UNAVAILABLE `DEPENDENCY_UNAVAILABLE` (peer `users`), and any other failure
 * of it (its INTERNAL, a NOT_FOUND naming no id asked for) UNAVAILABLE
 * `DEPENDENCY_FAILED` (peer `users`); see `peerFailure`.
 */
export class UserDirectory {
  private readonly users: UsersClient;

  constructor(options: Omit<PeerOptions, 'peer'>) {
    this.users = createPeerClient(usersV1.UserServiceService, { ...options, peer: 'users' });
  }

  /**
   * Refuses unless every named user exists and is active, naming each one
   * that is not. Answers the name and address of each of them, and of each
   * user in `alsoDescribe` that exists (looked up in the same call, not
   * checked): what a service stores to show or search who was involved.
   */
  async requireActive(
    caller: Principal,
    named: readonly NamedUser[],
    deadline: Date | undefined,
    alsoDescribe: readonly string[] = [],
  ): Promise<Map<string, DirectoryEntry>> {
    const ids = [...named.map((user) => user.id), ...alsoDescribe];
    if (ids.length === 0) return new Map();
    const { found, missing, inactive } = await lookUpUsers(this.users, ids, {
      token: caller.token,
      deadline,
    });
    const violations = named.flatMap((user): FieldViolation[] => {
      if (missing.includes(user.id))
        return [
          {
            field: user.field,
            description: `user ${user.id} does not exist`,
            reason: 'UNKNOWN_USER',
          },
        ];
      if (inactive.includes(user.id))
        return [
          {
            field: user.field,
            description: `user ${user.id} is deactivated`,
            reason: 'UNKNOWN_USER',
          },
        ];
      return [];
    });
    if (violations.length === 0)
      return new Map(
        [...found.values()].map((user) => [
          user.id,
          { fullName: user.fullName, email: user.email },
        ]),
      );
    const summary = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    throw new KitError('UNKNOWN_USER', `not an active user: ${summary}`, violations);
  }

  close(): void {
    this.users.close();
  }
}
