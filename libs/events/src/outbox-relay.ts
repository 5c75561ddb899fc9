import { Client } from 'pg';
import { postgresConnection } from '@nexus/config';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { outboxChannel } from '@nexus/db';
import { SpanKind, startSpan, tracingEnabled, type OpenSpan } from '@nexus/ops';
import { toKafkaMessage, type OutboxRow, type PositionedRow } from './cloud-event';
import { ensureTopics } from './kafka';

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  kafka: Kafka;
  logger: Logger;
  /** Topics the service publishes to, created up front if missing. */
  topics: readonly string[];
  batchSize?: number;
  /** How often to look for events when no NOTIFY arrives (a safety net). */
  pollIntervalMs?: number;
  /** How long to wait before retrying after a failure, at most. */
  maxBackoffMs?: number;
  /**
   * How long the relay waits, once woken, before it claims a batch that
   * would not be full, so that events committed meanwhile go out in the same
   * Kafka request and relay transaction (default 3 ms; 0 publishes at once).
   */
  lingerMs?: number;
  /**
   * Called after each published batch, for metrics: how many events went out
   * and how long the oldest of them waited since its event time.
   */
  onPublished?: (count: number, lagSeconds: number) => void;
  /**
   * How long published events stay in the change log for live streams to
   * replay (default 24 h); the newest entry is always kept.
   */
  changeLogRetentionMs?: number;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_LINGER_MS = 3;
const DEFAULT_CHANGE_LOG_RETENTION_MS = 24 * 3_600_000;
/** How often the leader prunes the change log. */
const PRUNE_INTERVAL_MS = 60_000;

/** How often a standby relay tries to take over leadership. */
const STANDBY_RETRY_MS = 2_000;

export type RelayState = 'stopped' | 'standby' | 'leader';

/**
 * Moves events from a service's outbox table to Kafka, in id order.
 *
 * One relay per schema publishes at a time: leadership is a Postgres session
 * advisory lock held by the relay's connection, so a replica that dies hands
 * over as soon as its connection closes. The leader wakes on NOTIFY from the
 * outbox trigger and polls as a fallback; each batch is claimed with
 * FOR UPDATE SKIP LOCKED, published with an idempotent producer (acks=all),
 * and deleted in the same transaction only after the broker acknowledged it.
 * A broker outage leaves the rows where they are until it is back.
 *
 * The same transaction moves the batch into the change log under their
 * positions: a gapless sequence per schema in publish order, which each
 * event also carries as `ce_sequence`. Live streams order, deduplicate and
 * resume by it (libs/events change-feed.ts). Only the leader assigns them,
 * continuing from the log's newest; a batch whose transaction fails is
 * published again under the positions then assigned.
 */
export class OutboxRelay {
  private state: RelayState = 'stopped';
  private running = false;
  private loop: Promise<void> | null = null;
  private client: Client | null = null;
  private producer: Producer | null = null;
  private wake: (() => void) | null = null;
  /** A wake-up that came while the relay was busy; the next idle() returns at once. */
  private wakePending = false;
  private readonly lockKey: string;
  /** The position the next published event gets; read from the log on taking the lead. */
  private nextPosition: number | null = null;
  private nextPruneMs = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockKey = `nexus.outbox.${options.schema}`;
  }

  get status(): RelayState {
    return this.state;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signal();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (await this.becomeLeader()) {
          backoff = 100;
          await this.relayWhileLeader();
        } else {
          await this.idle(STANDBY_RETRY_MS);
        }
      } catch (error) {
        if (!this.running) break;
        this.options.logger.warn(
          { err: error, schema: this.options.schema },
          'outbox relay failed; retrying',
        );
        await this.closeClient();
        await this.resetProducer();
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5_000);
      }
    }
    await this.closeClient();
    await this.resetProducer();
    this.state = 'stopped';
  }

  private async becomeLeader(): Promise<boolean> {
    if (!this.client) {
      const client = new Client({
        // sslmode and its files as libpq reads them, like the service's data source.
        ...postgresConnection(this.options.databaseUrl),
        application_name: `${this.options.schema}-outbox-relay`,
      });
      client.on('error', (error) => {
        this.options.logger.warn({ err: error }, 'outbox relay lost its database connection');
        this.signal();
      });
      client.on('notification', () => this.signal());
      await client.connect();
      this.client = client;
    }
    const result = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [this.lockKey],
    );
    this.state = result.rows[0]?.locked ? 'leader' : 'standby';
    if (this.state === 'leader' && this.nextPosition === null) {
      const { rows } = await this.client.query<{ newest: string }>(
        `SELECT coalesce(max(position), 0) AS newest FROM "${this.options.schema}"."change_log"`,
      );
      this.nextPosition = Number(rows[0].newest) + 1;
    }
    return this.state === 'leader';
  }

  private async relayWhileLeader(): Promise<void> {
    const client = this.requireClient();
    await client.query(`LISTEN ${outboxChannel(this.options.schema)}`);
    await ensureTopics(this.options.kafka, this.options.topics);
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const linger = this.options.lingerMs ?? DEFAULT_LINGER_MS;
    while (this.running) {
      await this.pruneChangeLog(client);
      const published = await this.publishBatch(client);
      if (published === 0) await this.idle(this.options.pollIntervalMs ?? 1_000);
      // A short batch means the relay keeps up: let the next one gather.
      if (published < batchSize && linger > 0 && this.running) await pause(linger);
    }
  }

  /** Publishes the oldest batch; returns how many events went out. */
  private async publishBatch(client: Client): Promise<number> {
    const schema = this.options.schema;
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<OutboxRow>(
        // The trace context only when this process traces (then its writes store one).
        `SELECT id, event_id, topic, message_key, type, source, time, payload${
          tracingEnabled() ? ', traceparent' : ''
        }
           FROM "${schema}"."outbox" ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize ?? DEFAULT_BATCH_SIZE],
      );
      const first = this.nextPosition ?? 1;
      const positioned = rows.map((row, index) => ({ ...row, position: first + index }));
      if (rows.length > 0) {
        const producer = await this.connectedProducer();
        const spans = tracingEnabled() ? positioned.map(publishSpan) : [];
        try {
          await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(positioned, spans) });
        } catch (error) {
          for (const span of spans) span?.end(error);
          throw error;
        }
        for (const span of spans) span?.end();
        // Row numbers in id order are the positions the events went out with.
        await client.query(
          `WITH published AS (
             DELETE FROM "${schema}"."outbox" WHERE id = ANY($1::bigint[]) RETURNING *)
           INSERT INTO "${schema}"."change_log"
                  (position, event_id, topic, message_key, type, source, time, payload)
           SELECT $2::bigint + row_number() OVER (ORDER BY id) - 1,
                  event_id, topic, message_key, type, source, time, payload
             FROM published`,
          [rows.map((r) => r.id), first],
        );
      }
      await client.query('COMMIT');
      this.nextPosition = first + rows.length;
      if (rows.length > 0) this.options.onPublished?.(rows.length, waitedSeconds(rows));
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Whether the log took the batch is unknown until it is read again.
      this.nextPosition = null;
      throw error;
    }
  }

  /** Drops change log entries older than the retention, at most once a minute. */
  private async pruneChangeLog(client: Client): Promise<void> {
    if (Date.now() < this.nextPruneMs) return;
    this.nextPruneMs = Date.now() + PRUNE_INTERVAL_MS;
    const schema = this.options.schema;
    const retention = this.options.changeLogRetentionMs ?? DEFAULT_CHANGE_LOG_RETENTION_MS;
    await client.query(
      `DELETE FROM "${schema}"."change_log"
        WHERE time < now() - $1::int * interval '1 millisecond'
          AND position < (SELECT max(position) FROM "${schema}"."change_log")`,
      [retention],
    );
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  /** Wakes the relay now, or at its next idle() if it is busy publishing. */
  private signal(): void {
    if (this.wake) this.wake();
    else this.wakePending = true;
  }

  /** Waits `ms`, or less when a NOTIFY, an error or stop() wakes the relay. */
  private idle(ms: number): Promise<void> {
    if (this.wakePending) {
      // An event committed while the last batch was being read: look again now.
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private requireClient(): Client {
    if (!this.client) throw new Error('outbox relay has no connection');
    return this.client;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    // Another replica may lead meanwhile: read the log again on taking the lead.
    this.nextPosition = null;
    this.state = this.running ? 'standby' : 'stopped';
    // Closing the session releases the advisory lock for the next leader.
    await client?.end().catch(() => undefined);
  }

  private async resetProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
  }
}

/**
 * The PRODUCER span of one event's publish, a child of the write that stored
 * it (the row's traceparent), ended once the broker acknowledged the batch.
 * An event written outside any trace is published without a span.
 */
function publishSpan(row: PositionedRow): OpenSpan | null {
  if (!row.traceparent) return null;
  return startSpan(`publish ${row.topic}`, {
    kind: SpanKind.PRODUCER,
    parent: row.traceparent,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': row.topic,
      'messaging.message.id': row.event_id,
      'cloudevents.event_type': row.type,
    },
  });
}

/**
 * Consecutive rows of one topic stay in order; Kafka keeps order per key.
 * A traced event's ce_traceparent is its publish span, the consumer's parent.
 */
function groupByTopic(
  rows: PositionedRow[],
  spans: readonly (OpenSpan | null)[],
): { topic: string; messages: ReturnType<typeof toKafkaMessage>[] }[] {
  const byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
  for (const [index, row] of rows.entries()) {
    const messages = byTopic.get(row.topic) ?? [];
    const span = spans[index];
    messages.push(toKafkaMessage(span ? { ...row, traceparent: span.traceparent } : row));
    byTopic.set(row.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** How long the oldest event of a batch waited, by its event time (the writer's clock). */
function waitedSeconds(rows: OutboxRow[]): number {
  const oldest = Math.min(...rows.map((row) => row.time.getTime()));
  return Math.max(0, (Date.now() - oldest) / 1000);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
