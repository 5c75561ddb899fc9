import { status, type ServiceError } from '@grpc/grpc-js';
import { lookUpUsers, type UsersClient } from '@nexus/clients';
import { KitError, type Principal } from '@nexus/core';
import { WorkError } from '../work.errors';

/** Who may be assigned or added: users that exist and are active, asked of the users service. */
export class UserDirectory {
  constructor(private readonly client: UsersClient) {}

  /** Passes when every id is an active user; asks with the caller's token and deadline. */
  async requireActive(
    caller: Principal,
    ids: string[],
    field: string,
    deadline?: Date,
  ): Promise<void> {
    if (ids.length === 0) return;
    let lookup;
    try {
      lookup = await lookUpUsers(this.client, ids, { token: caller.token, deadline });
    } catch (error) {
      const code = (error as ServiceError).code;
      if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) {
        throw new KitError(
          'DEPENDENCY_UNAVAILABLE',
          'the users service is unavailable; retry later',
        );
      }
      throw error;
    }
    const [missing] = lookup.missing;
    if (missing) {
      throw new WorkError('USER_NOT_FOUND', `user ${missing} does not exist`, [
        { field, description: 'is not a user', reason: 'USER_NOT_FOUND' },
      ]);
    }
    const [inactive] = lookup.inactive;
    if (inactive) {
      throw new WorkError('USER_INACTIVE', `user ${inactive} is deactivated`, [
        { field, description: 'is a deactivated user', reason: 'USER_INACTIVE' },
      ]);
    }
  }
}
