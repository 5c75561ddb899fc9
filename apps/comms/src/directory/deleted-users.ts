import { In, type DataSource, type EntityManager } from 'typeorm';
import { DeletedUserEntity } from './deleted-user.entity';

/**
 * Who has been deleted, as comms learns it from the users service's events
 * (user-events.consumer.ts): their mail and messages stay, marked. Whether a
 * user exists and is active now is asked of the users service through the
 * kit's UserDirectory instead.
 */
export class DeletedUsers {
  constructor(private readonly dataSource: DataSource) {}

  /** Which of `ids` belong to deleted users. */
  async among(
    ids: Iterable<string>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    const rows = await manager.find(DeletedUserEntity, { where: { userId: In(unique) } });
    return new Set(rows.map((row) => row.userId));
  }
}
