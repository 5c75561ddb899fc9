import { aggregateTopic } from './event-type';
import type { Tx } from './transaction';

/** A JSON value as it appears in an event: canonical proto3 JSON. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What the kit needs to know about an aggregate to publish its changes:
 * where its events go and how it looks to the outside world. `toResource`
 * must return the same message the gRPC API returns, in proto3 JSON, and
 * therefore never a secret.
 */
export interface Aggregate<E> {
  readonly service: string;
  readonly name: string;
  readonly topic: string;
  readonly source: string;
  idOf(entity: E): string;
  toResource(entity: E): JsonObject;
  /** Called with every event of the aggregate, in its transaction (see EventObserver). */
  readonly observe?: EventObserver;
}

/** One event as it was written to the outbox: what an observer is told. */
export interface EmittedEvent {
  eventId: string;
  /** The verb (`created`, `updated`, `completed`, `mentioned`...). */
  verb: string;
  /** The aggregate id (the Kafka key). */
  subject: string;
  before: JsonObject | null;
  after: JsonObject | null;
  changed: string[];
  actor: string | null;
  time: Date;
}

/**
 * Keeps a service's own read model (a task's activity history) in step with
 * the events of an aggregate: the kit calls it after each outbox row it
 * writes, in the same transaction, whatever path wrote it (the store's
 * create/update/delete, Tx.emit, emitMany). So the model records what the
 * events say, once, instead of every handler writing a second account of its
 * change; a failing observer rolls the change back with its event.
 */
export type EventObserver = (tx: Tx, event: EmittedEvent) => Promise<void>;

export function defineAggregate<E extends { id: string }>(spec: {
  service: string;
  name: string;
  toResource: (entity: E) => JsonObject;
  observe?: EventObserver;
}): Aggregate<E> {
  return {
    service: spec.service,
    name: spec.name,
    topic: aggregateTopic(spec.service, spec.name),
    source: `/nexus/${spec.service}`,
    idOf: (entity) => entity.id,
    toResource: spec.toResource,
    observe: spec.observe,
  };
}

/** Fields that change with every write and say nothing about what changed. */
const BOOKKEEPING_FIELDS = new Set(['etag', 'updateTime']);

/** Top-level resource fields whose JSON differs between two versions. */
export function changedFields(before: JsonObject | null, after: JsonObject | null): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .filter((key) => !BOOKKEEPING_FIELDS.has(key))
    .filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]))
    .sort();
}
