import { KitError } from '@nexus/core';
import { RequestIdRecord, type Tx } from '@nexus/db';

/**
 * Claims `requestId` for a resource about to be created with `id`; returns
 * the id of what an earlier call with the same request id created, or null
 * when this call is the first (as CrudRepository.create does, for creates it cannot do).
 */
export async function claimRequestId(
  tx: Tx,
  requestId: string | undefined,
  resourceType: string,
  id: string,
): Promise<string | null> {
  if (!requestId) return null;
  const claimed = await tx.manager
    .createQueryBuilder()
    .insert()
    .into(RequestIdRecord)
    .values({ requestId, resourceType, resourceId: id })
    .orIgnore()
    .returning('request_id')
    .execute();
  if ((claimed.raw as unknown[]).length > 0) return null;
  const earlier = await tx.manager.findOneByOrFail(RequestIdRecord, { requestId });
  if (earlier.resourceType !== resourceType) {
    throw KitError.invalid([
      {
        field: 'request_id',
        description: 'was already used for another kind of request',
        reason: 'REUSED',
      },
    ]);
  }
  return earlier.resourceId;
}
