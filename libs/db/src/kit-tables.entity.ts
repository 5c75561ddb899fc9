import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A change event waiting to be relayed to Kafka, written in the same
 * transaction as the change. The relay publishes rows in `id` order and
 * deletes them once the broker has acknowledged them.
 */
@Entity({ name: 'outbox' })
export class OutboxEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  topic!: string;

  /** The aggregate id: the Kafka message key, so per-aggregate order holds. */
  @Column({ type: 'text' })
  messageKey!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  time!: Date;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  /**
   * The W3C trace context of the write, so the relay's publish continues its
   * trace; null when the writer was not tracing.
   */
  @Column({ type: 'text', nullable: true })
  traceparent!: string | null;
}

/**
 * The change log: every event the relay published, under its position, a
 * gapless per-schema sequence in publish order (the event's `ce_sequence`).
 * Kept for the replay window (CHANGE_LOG_RETENTION) so a live stream
 * resumed from a cursor can replay what it missed, then pruned by the relay.
 */
@Entity({ name: 'change_log' })
export class ChangeLogEntry {
  @PrimaryColumn({ type: 'bigint' })
  position!: string;

  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text' })
  messageKey!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  time!: Date;

  @Column({ type: 'jsonb' })
  payload!: unknown;
}

/**
 * Request ids of creates already done, so a retried create returns the first
 * result: each bound to the caller, method and request that first used it.
 */
@Entity({ name: 'request_ids' })
export class RequestIdRecord {
  @PrimaryColumn({ type: 'uuid' })
  requestId!: string;

  /** The caller's user id, '' for an anonymous call. */
  @Column({ type: 'text' })
  caller!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'text' })
  resourceType!: string;

  @Column({ type: 'uuid' })
  resourceId!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}

/** Events a consumer of this service has applied, for exactly-once effects. */
@Entity({ name: 'processed_events' })
export class ProcessedEvent {
  @PrimaryColumn({ type: 'text' })
  consumer!: string;

  @PrimaryColumn({ type: 'uuid' })
  eventId!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  processedAt!: Date;
}

export const KIT_ENTITIES = [OutboxEvent, RequestIdRecord, ProcessedEvent, ChangeLogEntry];

/** The NOTIFY channel the outbox relay of a schema listens on. */
export function outboxChannel(schema: string): string {
  return `nexus_outbox_${schema}`;
}
