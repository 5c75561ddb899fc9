import { lookUpUsers, type UsersClient } from '@nexus/clients';
import type { Principal } from '@nexus/core';
import { ContentError } from './content.errors';

/** Asks the users service whether users exist and are active, with the caller's token. */
export class UserDirectory {
  constructor(private readonly client: UsersClient) {}

  /** INVALID_ARGUMENT for an unknown user, FAILED_PRECONDITION for a deactivated one, naming `field`. */
  async requireActive(
    caller: Principal,
    userId: string,
    field: string,
    deadline?: Date,
  ): Promise<void> {
    const { missing, inactive } = await lookUpUsers(this.client, [userId], {
      token: caller.token,
      deadline,
    });
    if (missing.length > 0) {
      throw new ContentError('UNKNOWN_USER', `no user has id ${userId}`, [
        { field, description: 'is not a known user', reason: 'UNKNOWN_USER' },
      ]);
    }
    if (inactive.length > 0) {
      throw new ContentError('INACTIVE_USER', `user ${userId} is deactivated`, [
        { field, description: 'is a deactivated user', reason: 'INACTIVE_USER' },
      ]);
    }
  }

  close(): void {
    this.client.close();
  }
}
