import type { EntityManager } from 'typeorm';
import { ErasedUserEntity } from './erased-user.entity';

/** Remembers that a user was erased (a replay keeps the first time). */
export async function rememberErased(
  manager: EntityManager,
  userId: string,
  erasedAt: Date,
): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(ErasedUserEntity)
    .values({ userId, erasedAt })
    .orIgnore()
    .execute();
}

/** Those of `userIds` that were erased. */
export async function erasedAmong(
  manager: EntityManager,
  userIds: readonly string[],
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await manager
    .createQueryBuilder(ErasedUserEntity, 'e')
    .select('e.userId', 'userId')
    .where('e.user_id = ANY(:userIds)', { userIds: [...new Set(userIds)] })
    .getRawMany<{ userId: string }>();
  return rows.map((row) => row.userId);
}
