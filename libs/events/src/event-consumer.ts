import type { Admin, Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { ProcessedEvent, inTransaction, type Tx } from '@nexus/db';
import { SpanKind, inSpan, tracingEnabled } from '@nexus/ops';
import { MalformedEventError, parseEvent, type PlatformEvent } from './cloud-event';
import { measureConsumerLag, type PartitionLag } from './consumer-lag';
import { DeadLetters, capText, deadLetterTopic } from './dead-letter';
import { ensureTopics } from './kafka';

/** Applies one event inside the transaction that records it as processed. */
export type EventHandler = (event: PlatformEvent, tx: Tx) => Promise<void>;

/**
 * Applies events not applied before, in offset order (one partition), inside
 * the one transaction that records them all as processed.
 */
export type EventBatchHandler = (events: PlatformEvent[], tx: Tx) => Promise<void>;

interface ConsumerBaseOptions {
  kafka: Kafka;
  dataSource: DataSource;
  logger: Logger;
  /**
   * The consuming service, e.g. `content`: a message that is no platform
   * event, or an event the handler refuses with MalformedEventError, goes to
   * its dead-letter topic `nexus.<service>.dlq` and consumption goes on.
   */
  service: string;
  /** Consumer group id; also the name under which processed event ids are kept. */
  groupId: string;
  topics: (string | RegExp)[];
  /** Called once a message went to the dead-letter topic (metrics). */
  onDeadLettered?: (topic: string, error: MalformedEventError) => void;
  fromBeginning?: boolean;
  /**
   * Called after the transaction of an applied event has committed (not for a
   * duplicate), once per event in batch mode too: metrics and latency probes
   * that must not count a rollback.
   */
  onApplied?: (event: PlatformEvent) => void;
  /** Partitions handled at once (each still in order); default 1. */
  partitionsConsumedConcurrently?: number;
}

/**
 * An event at a time: the handler sees one event, run one after the other
 * inside the chunk's transaction (at most `maxEventsPerTransaction` events,
 * default 100: a cascade's work per event can be large).
 */
interface SingleEventOptions {
  handle: EventHandler;
  handleBatch?: never;
  maxEventsPerTransaction?: number;
}

/**
 * Batch mode: what Kafka fetched of one partition is applied in one
 * transaction (at most `maxEventsPerTransaction` events each, default
 * 1,000), for consumers that fold many events into few writes (read models).
 */
interface BatchOptions {
  handleBatch: EventBatchHandler;
  handle?: never;
  maxEventsPerTransaction?: number;
}

export type EventConsumerOptions = ConsumerBaseOptions & (SingleEventOptions | BatchOptions);

export interface RunningConsumer {
  consumer: Consumer;
  groupId: string;
  /**
   * The group's lag on every partition it subscribes to, from the broker's
   * committed and end offsets (so a stalled or stopped member shows as lag too).
   */
  lag: () => Promise<PartitionLag[]>;
  stop(): Promise<void>;
}

const DEFAULT_MAX_EVENTS_PER_TRANSACTION = { batch: 1_000, single: 100 } as const;

/**
 * Consumes platform events with exactly-once effects: the event id is
 * recorded in `processed_events` in the same transaction as the handler's
 * changes, so a redelivered event (at-least-once delivery) changes nothing.
 * A handler error leaves the offset uncommitted and the message is retried,
 * except MalformedEventError: the event can never be applied, so it is
 * dead-lettered and recorded as processed with none of the handler's changes.
 *
 * The messages Kafka fetched of a partition are applied in chunks, each one
 * transaction: one statement records their ids and returns those not seen
 * before, the handler gets only those, in offset order (`handleBatch` all of
 * them at once, `handle` one after the other), and the offsets are resolved
 * after the commit. A transaction per event cost a consumer more than most
 * events' work (three consumers of every users event made an UpdateUser
 * cost the platform about three times its own write). Messages that are no
 * platform event are dead-lettered one by one; when the handler refuses an
 * event (MalformedEventError) the chunk's transaction rolls back and its
 * events are applied again one at a time, each in its own transaction, so
 * only the refused event is dead-lettered.
 */
export async function runEventConsumer(options: EventConsumerOptions): Promise<RunningConsumer> {
  // Consumers may start before the first producer: make named topics exist
  // so subscribing does not race their auto-creation.
  await ensureTopics(
    options.kafka,
    options.topics.filter((topic): topic is string => typeof topic === 'string'),
  );
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: true,
  });
  const deadLetters = await DeadLetters.open(options.kafka, deadLetterTopic(options.service));
  const deadLetter = async (
    message: KafkaMessage,
    origin: { topic: string; partition: number },
    error: MalformedEventError,
  ) => {
    options.logger.warn(
      {
        ...origin,
        offset: message.offset,
        // The reason can quote producer-controlled header values of any size.
        reason: capText(error.message),
        deadLetters: deadLetters.topic,
      },
      'dead-lettered a malformed event',
    );
    await deadLetters.send(message, { ...origin, groupId: options.groupId }, error);
    options.onDeadLettered?.(origin.topic, error);
  };
  const { handle, handleBatch } = handlersOf(options);

  /** The single-event path: parse, apply once, or dead-letter. */
  const consumeOne = async (topic: string, partition: number, message: KafkaMessage) => {
    let event: PlatformEvent;
    try {
      event = parseEvent(message, topic, partition);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      await deadLetter(message, { topic, partition }, error);
      return;
    }
    let applied: boolean;
    try {
      applied = await applyOnce({ ...options, handle }, event);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      // Recorded as processed in the transaction that sends it: a redelivery is not sent again.
      await recordOnce(options, event, () => deadLetter(message, { topic, partition }, error));
      return;
    }
    if (applied) options.onApplied?.(event);
  };

  /** The batch path for a run of messages of one partition, in offset order. */
  const consumeMany = async (
    applyBatch: EventBatchHandler,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ) => {
    const events: PlatformEvent[] = [];
    const unreadable: { message: KafkaMessage; error: MalformedEventError }[] = [];
    for (const message of messages) {
      try {
        events.push(parseEvent(message, topic, partition));
      } catch (error) {
        if (!(error instanceof MalformedEventError)) throw error;
        unreadable.push({ message, error });
      }
    }
    let applied: PlatformEvent[];
    try {
      applied = await applyBatchOnce({ ...options, handleBatch: applyBatch }, events);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      // Nothing of the batch committed: one by one, so only the refused event is set aside.
      for (const message of messages) await consumeOne(topic, partition, message);
      return;
    }
    for (const event of applied) options.onApplied?.(event);
    // After the commit: a failed send is retried with the batch, whose events are then duplicates.
    for (const { message, error } of unreadable) {
      await deadLetter(message, { topic, partition }, error);
    }
  };

  const maxPerTransaction = Math.max(
    1,
    options.maxEventsPerTransaction ??
      DEFAULT_MAX_EVENTS_PER_TRANSACTION[options.handleBatch ? 'batch' : 'single'],
  );
  await consumer.connect();
  await consumer.subscribe({
    topics: options.topics,
    fromBeginning: options.fromBeginning ?? true,
  });
  // kafkajs resolves run() once the group has this member: after the broker
  // dropped any member that crashed without leaving, up to its session timeout
  // (30 s). The service must not wait for that to serve; it consumes from then.
  const joined = consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    // Offsets are resolved chunk by chunk after each commit; stopping
    // mid-batch must not mark the rest as consumed.
    eachBatchAutoResolve: false,
    eachBatch: async (payload: EachBatchPayload) => {
      const { batch } = payload;
      for (const chunk of chunksOf(batch, maxPerTransaction)) {
        if (!payload.isRunning() || payload.isStale()) return;
        await inConsumerSpan(options.groupId, batch, chunk, () =>
          consumeMany(handleBatch, batch.topic, batch.partition, chunk),
        );
        payload.resolveOffset(chunk[chunk.length - 1].offset);
        await payload.heartbeat();
      }
    },
  });
  joined.catch((error: unknown) =>
    options.logger.error({ err: error, groupId: options.groupId }, 'event consumer did not start'),
  );
  const admin = new LazyAdmin(options.kafka);
  return {
    consumer,
    groupId: options.groupId,
    lag: async () =>
      measureConsumerLag(
        await admin.connected(),
        options.groupId,
        options.topics,
        options.fromBeginning ?? true,
      ),
    stop: async () => {
      // Leaving in the middle of the join would let kafkajs restart the consumer after it.
      await joined.catch(() => undefined);
      await consumer.disconnect();
      await deadLetters.close();
      await admin.close();
    },
  };
}

/**
 * An admin client connected on first use (the first lag scrape), again after
 * a failed connect, and never after close(): a scrape while the service stops
 * must not leave a connection open.
 */
class LazyAdmin {
  private admin: Promise<Admin> | null = null;
  private closed = false;

  constructor(private readonly kafka: Kafka) {}

  connected(): Promise<Admin> {
    if (this.closed) return Promise.reject(new Error('the consumer has stopped'));
    this.admin ??= this.connect();
    return this.admin;
  }

  async close(): Promise<void> {
    this.closed = true;
    const admin = this.admin;
    this.admin = null;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      this.admin = null;
      throw error;
    }
  }
}

/**
 * Both shapes of the handler: a batch handler applies one event as a batch
 * of one; a single-event handler applies a batch one event after the other.
 */
function handlersOf(options: SingleEventOptions | BatchOptions): {
  handle: EventHandler;
  handleBatch: EventBatchHandler;
} {
  if (options.handleBatch) {
    const handleBatch = options.handleBatch;
    return { handle: (event, tx) => handleBatch([event], tx), handleBatch };
  }
  const handle = options.handle;
  return {
    handle,
    handleBatch: async (events, tx) => {
      for (const event of events) await handle(event, tx);
    },
  };
}

/**
 * Applies a chunk inside a CONSUMER span: the child of the first traced
 * event's publish (its ce_traceparent), linked to every other traced event of
 * the chunk (one transaction applies them all). A chunk with no traced event,
 * or tracing off, runs without a span.
 */
async function inConsumerSpan(
  groupId: string,
  batch: Batch,
  chunk: KafkaMessage[],
  work: () => Promise<void>,
): Promise<void> {
  if (!tracingEnabled()) return work();
  const traced: string[] = [];
  for (const message of chunk) {
    const value = message.headers?.ce_traceparent;
    const text = (Array.isArray(value) ? value[0] : value)?.toString();
    if (text) traced.push(text);
  }
  if (traced.length === 0) return work();
  return inSpan(
    `process ${batch.topic}`,
    {
      kind: SpanKind.CONSUMER,
      parent: traced[0],
      links: traced.slice(1),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': batch.topic,
        'messaging.destination.partition.id': String(batch.partition),
        'messaging.consumer.group.name': groupId,
        'messaging.batch.message_count': chunk.length,
      },
    },
    work,
  );
}

function chunksOf(batch: Batch, size: number): KafkaMessage[][] {
  const chunks: KafkaMessage[][] = [];
  for (let start = 0; start < batch.messages.length; start += size) {
    chunks.push(batch.messages.slice(start, start + size));
  }
  return chunks;
}

/** Runs the handler unless this consumer already applied the event; returns whether it ran. */
export async function applyOnce(
  options: Pick<ConsumerBaseOptions, 'dataSource' | 'groupId'> & { handle: EventHandler },
  event: PlatformEvent,
): Promise<boolean> {
  return recordOnce(options, event, (tx) => options.handle(event, tx));
}

/**
 * Records the events as processed by this consumer with one statement and
 * runs the handler on those not recorded before (each id once, in the order
 * given), all in one transaction; returns the events it applied.
 */
export async function applyBatchOnce(
  options: Pick<ConsumerBaseOptions, 'dataSource' | 'groupId'> & {
    handleBatch: EventBatchHandler;
  },
  events: PlatformEvent[],
): Promise<PlatformEvent[]> {
  if (events.length === 0) return [];
  return inTransaction(options.dataSource, null, async (tx) => {
    const fresh = await recordProcessed(
      tx.manager,
      options.groupId,
      events.map((event) => event.id),
    );
    // A batch can hold the same event twice (a producer's retry): the first copy
    // counts. PostgreSQL answers ids in lower case, whatever the header's case.
    const applied = events.filter((event) => fresh.delete(event.id.toLowerCase()));
    if (applied.length > 0) await options.handleBatch(applied, tx);
    return applied;
  });
}

/** Inserts (group, id) for every id; returns the ids that were not there yet. */
async function recordProcessed(
  manager: EntityManager,
  groupId: string,
  ids: string[],
): Promise<Set<string>> {
  const { schema, tableName } = manager.connection.getMetadata(ProcessedEvent);
  const table = schema ? `"${schema}"."${tableName}"` : `"${tableName}"`;
  const rows = await manager.query<{ event_id: string }[]>(
    `INSERT INTO ${table} (consumer, event_id)
     SELECT $1, id FROM unnest($2::uuid[]) AS id
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [groupId, ids],
  );
  return new Set(rows.map((row) => row.event_id));
}

/** Records the event as processed by this consumer and runs `work` in that transaction, once. */
async function recordOnce(
  options: Pick<ConsumerBaseOptions, 'dataSource' | 'groupId'>,
  event: PlatformEvent,
  work: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  return inTransaction(options.dataSource, null, async (tx) => {
    const inserted = await tx.manager
      .createQueryBuilder()
      .insert()
      .into(ProcessedEvent)
      .values({ consumer: options.groupId, eventId: event.id })
      .orIgnore()
      .returning('event_id')
      .execute();
    if ((inserted.raw as unknown[]).length === 0) return false;
    await work(tx);
    return true;
  });
}
