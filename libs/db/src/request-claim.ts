import { In } from 'typeorm';
import { KitError, type IdempotencyKey } from '@nexus/core';
import { RequestIdRecord } from './kit-tables.entity';
import { canPrepare, queryPrepared, runPrepared, tableStatement } from './prepared-query';
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
  const values = {
    requestId: key.requestId,
    caller: key.caller,
    method: key.method,
    fingerprint: key.fingerprint,
    resourceType,
    resourceId: id,
  };
  if (!(await alreadyClaimed(tx, values))) return null;
  const earlier = await tx.manager.findOneByOrFail(RequestIdRecord, {
    requestId: key.requestId,
  });
  if (!isReplay(earlier, key, resourceType)) throw requestIdReused();
  return earlier.resourceId;
}

/** The one answer for a key presented by anyone but its owner, or with another request. */
/**
 * claimRequestId for many creates at once (a batch), in two statements
 * whatever their number: one INSERT of every claim, in request-id order so
 * two batches with overlapping keys wait for each other instead of
 * deadlocking, and one read of the keys that were taken. Returns, for each
 * item that is a replay, the id its first call created; anything else that
 * presents a taken key is refused as claimRequestId refuses it.
 */
export async function claimRequestIds(
  tx: Tx,
  items: readonly { key?: IdempotencyKey; id: string }[],
  resourceType: string,
): Promise<Map<number, string>> {
  const keyed = items.flatMap((item, index) =>
    item.key ? [{ key: item.key, id: item.id, index }] : [],
  );
  if (keyed.length === 0) return new Map();
  const { manager } = tx;
  const claim = tableStatement(
    manager.dataSource,
    RequestIdRecord,
    'claim_many',
    (table, column) => {
      const columns = CLAIM_COLUMNS.map(column).join(', ');
      return `INSERT INTO ${table} (${columns})
      SELECT c.request_id, c.caller, c.method, c.fingerprint, $5, c.resource_id
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $6::uuid[])
             AS c(request_id, caller, method, fingerprint, resource_id)
       ORDER BY c.request_id
      ON CONFLICT DO NOTHING
      RETURNING ${column('resourceId')} AS resource_id`;
    },
  );
  const claimed = await queryPrepared<{ resource_id: string }>(manager, claim.text, [
    keyed.map(({ key }) => key.requestId),
    keyed.map(({ key }) => key.caller),
    keyed.map(({ key }) => key.method),
    keyed.map(({ key }) => key.fingerprint),
    resourceType,
    keyed.map(({ id }) => id),
  ]);
  const mine = new Set(claimed.map((row) => row.resource_id));
  const taken = keyed.filter(({ id }) => !mine.has(id));
  if (taken.length === 0) return new Map();
  const earlierRecords = await manager.find(RequestIdRecord, {
    where: { requestId: In([...new Set(taken.map(({ key }) => key.requestId))]) },
  });
  const byRequestId = new Map(earlierRecords.map((record) => [record.requestId, record]));
  const earlier = new Map<number, string>();
  for (const { key, index } of taken) {
    const first = byRequestId.get(key.requestId);
    if (!first || !isReplay(first, key, resourceType)) throw requestIdReused();
    earlier.set(index, first.resourceId);
  }
  return earlier;
}

/** The same caller's same request, for the same kind of resource. */
function isReplay(earlier: RequestIdRecord, key: IdempotencyKey, resourceType: string): boolean {
  return (
    earlier.caller === key.caller &&
    earlier.method === key.method &&
    earlier.fingerprint === key.fingerprint &&
    earlier.resourceType === resourceType
  );
}

export function requestIdReused(): KitError {
  return KitError.invalid([
    {
      field: 'request_id',
      description: 'was already used for a different request',
      reason: 'REUSED',
    },
  ]);
}

type Claim = Omit<RequestIdRecord, 'createdAt'>;
const CLAIM_COLUMNS = [
  'requestId',
  'caller',
  'method',
  'fingerprint',
  'resourceType',
  'resourceId',
] as const satisfies readonly (keyof Claim)[];

/** Inserts the claim unless the key is taken; returns whether it was (by this or another request). */
async function alreadyClaimed(tx: Tx, values: Claim): Promise<boolean> {
  const { manager } = tx;
  if (!canPrepare(manager.dataSource) || !manager.queryRunner) {
    const claimed = await manager
      .createQueryBuilder()
      .insert()
      .into(RequestIdRecord)
      .values(values)
      .orIgnore()
      .returning('request_id')
      .execute();
    return (claimed.raw as unknown[]).length === 0;
  }
  // The create's hottest statement after the INSERT itself: prepared, like it.
  const statement = tableStatement(
    manager.dataSource,
    RequestIdRecord,
    'claim',
    (table, column) => {
      const columns = CLAIM_COLUMNS.map(column).join(', ');
      return `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${column('requestId')}`;
    },
  );
  const rows = await runPrepared(
    manager.dataSource,
    manager.queryRunner,
    statement,
    CLAIM_COLUMNS.map((property) => values[property]),
  );
  return rows.length === 0;
}
