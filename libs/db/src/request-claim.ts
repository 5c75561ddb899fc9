import { KitError, type IdempotencyKey } from '@nexus/core';
import { RequestIdRecord } from './kit-tables.entity';
import { canPrepare, runPrepared, tableStatement } from './prepared-query';
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
