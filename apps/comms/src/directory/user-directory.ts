import { In, type DataSource, type EntityManager } from 'typeorm';
import { lookUpUsers, type UsersClient } from '@nexus/clients';
import type { FieldViolation, Principal } from '@nexus/core';
import { CommsError } from '../comms.errors';
import { DeletedUserEntity } from './deleted-user.entity';

/** A user id a request names, with the request field it came from (for the violation). */
export interface NamedUser {
  id: string;
  field: string;
}

/** What comms knows about users: the users service's directory, and who has been deleted. */
export class UserDirectory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersClient,
  ) {}

  /**
   * Refuses unless every named user exists and is active, naming each
   * offending one in a field violation. Asks the users service with the
   * caller's token and deadline.
   */
  async requireActive(
    caller: Principal,
    named: readonly NamedUser[],
    deadline: Date | undefined,
  ): Promise<void> {
    if (named.length === 0) return;
    const lookup = await lookUpUsers(
      this.users,
      named.map((user) => user.id),
      { token: caller.token, deadline },
    );
    const missing = new Set(lookup.missing);
    const inactive = new Set(lookup.inactive);
    const violations: FieldViolation[] = named.flatMap((user): FieldViolation[] => {
      if (missing.has(user.id))
        return [
          {
            field: user.field,
            description: `user ${user.id} does not exist`,
            reason: 'UNKNOWN_USER',
          },
        ];
      if (inactive.has(user.id))
        return [
          {
            field: user.field,
            description: `user ${user.id} is not active`,
            reason: 'INACTIVE_USER',
          },
        ];
      return [];
    });
    if (violations.length === 0) return;
    const code = violations.some((v) => v.reason === 'UNKNOWN_USER')
      ? 'UNKNOWN_RECIPIENT'
      : 'INACTIVE_RECIPIENT';
    throw new CommsError(
      code,
      `cannot address ${violations.map((v) => v.description).join('; ')}`,
      violations,
    );
  }

  /** Which of `ids` belong to deleted users. */
  async deletedAmong(
    ids: Iterable<string>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    const rows = await manager.find(DeletedUserEntity, { where: { userId: In(unique) } });
    return new Set(rows.map((row) => row.userId));
  }
}
