import type { QueryRunner } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { changedFields, type Aggregate } from './aggregate';
import { eventType } from './event-type';

/**
 * The events of the rows a data migration writes (a default price list):
 * one outbox row per aggregate, with the payload `tx.emit` writes (before,
 * after, changed; no actor). A migration has no Tx, and it must write only
 * the outbox columns it knows at its point in history (later migrations add
 * some), so this writes the columns of the first kit tables; the relay
 * publishes them as any other event.
 */
export async function emitFromMigration<E>(
  runner: QueryRunner,
  schema: string,
  aggregate: Aggregate<E>,
  verb: 'created' | 'deleted',
  entities: readonly E[],
): Promise<void> {
  if (entities.length === 0) return;
  const events = entities.map((entity) => {
    const resource = aggregate.toResource(entity);
    const [before, after] = verb === 'created' ? [null, resource] : [resource, null];
    return {
      event_id: uuidv7(),
      message_key: aggregate.idOf(entity),
      payload: { before, after, changed: changedFields(before, after), actor: null },
    };
  });
  await runner.query(
    `INSERT INTO "${schema}"."outbox" (event_id, topic, message_key, type, source, time, payload)
     SELECT (e->>'event_id')::uuid, $2, e->>'message_key', $3, $4, $5::timestamptz, e->'payload'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n)
      ORDER BY n`,
    [
      JSON.stringify(events),
      aggregate.topic,
      eventType(aggregate.topic, verb),
      aggregate.source,
      new Date().toISOString(),
    ],
  );
}
