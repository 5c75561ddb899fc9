import type { DataSource } from 'typeorm';
import type { Principal } from '@nexus/core';
import { inTransaction, type CrudRepository } from '@nexus/db';
import { activeCaller } from '../users/active-caller';
import { checkAdmin } from '../users/user-access';
import type { UserEntity } from '../users/user.entity';
import type { SignInThrottleStore } from './sign-in-throttle.store';
import type { SignInState, SignInStore } from './sign-in.store';

/**
 * An admin lifts the sign-in throttle of a user: the counts of their email
 * and username start from zero. The throttle is bookkeeping beside the user
 * (like the failed-login count, which keeps counting wrong passwords until a
 * right one), so nothing of the resource changes and no event is published.
 */
export class SignInUnlockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: CrudRepository<UserEntity>,
    private readonly throttle: SignInThrottleStore,
    private readonly signIns: SignInStore,
  ) {}

  async unlock(caller: Principal, id: string): Promise<{ user: UserEntity; signIn: SignInState }> {
    checkAdmin(caller, 'unlock users');
    const user = await inTransaction(this.dataSource, caller.userId, async (tx) => {
      await activeCaller(tx, caller, null);
      const user = await this.users.get(id, { manager: tx.manager });
      await this.throttle.unlock([user.email, user.username], tx.manager);
      return user;
    });
    return { user, signIn: await this.signIns.stateOf(id) };
  }
}
