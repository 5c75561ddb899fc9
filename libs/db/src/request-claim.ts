import { KitError, type IdempotencyKey } from '@nexus/core';
import { RequestIdRecord } from './kit-tables.entity';
import type { Tx } from './transaction';

/**
 * Claims `key` for a resource of `resourceType` about to be created with
 * `id`. Returns null when this call is the first to use the key, or the id of
 * what the first call created when this is its replay: the same caller, the
 * same method, the same request. Anything else that presents the key is
 * refused with one answer, whoever used it first, so it learns nothing.
 */
export async function claimRequestId(
  tx: Tx,
  key: IdempotencyKey | undefined,
  resourceType: string,
  id: string,
): Promise<string | null> {
  if (!key) return null;
  // ON CONFLICT waits for a concurrent claim of the same key to commit or
  // roll back, so two racing retries cannot both create.
  const claimed = await tx.manager
    .createQueryBuilder()
    .insert()
    .into(RequestIdRecord)
    .values({
      requestId: key.requestId,
      caller: key.caller,
      method: key.method,
      fingerprint: key.fingerprint,
      resourceType,
      resourceId: id,
    })
    .orIgnore()
    .returning('request_id')
    .execute();
  if ((claimed.raw as unknown[]).length > 0) return null;
  const earlier = await tx.manager.findOneByOrFail(RequestIdRecord, {
    requestId: key.requestId,
  });
  const replay =
    earlier.caller === key.caller &&
    earlier.method === key.method &&
    earlier.fingerprint === key.fingerprint &&
    earlier.resourceType === resourceType;
  if (!replay) throw requestIdReused();
  return earlier.resourceId;
}

/** The one answer for a key presented by anyone but its owner, or with another request. */
export function requestIdReused(): KitError {
  return KitError.invalid([
    {
      field: 'request_id',
      description: 'was already used for a different request',
      reason: 'REUSED',
    },
  ]);
}
