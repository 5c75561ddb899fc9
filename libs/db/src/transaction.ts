import type { EventEmitter } from 'node:events';
import {
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
  type DataSource,
  type EntityManager,
} from 'typeorm';
import { uuidv7, type MentionRecord } from '@nexus/core';
import { changedFields, type Aggregate, type JsonObject } from './aggregate';
import { eventType } from './event-type';
import { insertOutboxRow, insertOutboxRows } from './outbox-writer';
import { isTransactionConflict } from './pg-errors';

/**
 * The row lock a transaction takes on a row it is about to change (findOne's
 * `lock` option). FOR NO KEY UPDATE, not FOR UPDATE: it still serialises
 * writers of the row, but does not conflict with the FOR KEY SHARE lock that
 * inserting a child row (a task of a project, a version of a document) takes
 * on its parent through the foreign key. With FOR UPDATE, two transactions
 * that each insert a child and then lock the parent deadlock.
 */
export const ROW_WRITE_LOCK = { mode: 'for_no_key_update' } as const;

/**
 * created, updated, deleted, restored, or a domain verb such as `sent`:
 * snake_case, and listed for the aggregate in PLATFORM_EVENTS (event-type.ts).
 */
export type ChangeVerb = 'created' | 'updated' | 'deleted' | 'restored' | (string & {});

/**
 * A unit of work: the entity manager of one database transaction and the
 * actor it runs for. Changes emitted here land in the outbox only if the
 * transaction commits, so an event exists exactly when its change does.
 */
export class Tx {
  constructor(
    readonly manager: EntityManager,
    readonly actor: string | null,
  ) {}

  /** Records one change event; `before`/`after` are null for create/hard delete. */
  async emit<E>(
    aggregate: Aggregate<E>,
    verb: ChangeVerb,
    before: E | null,
    after: E | null,
  ): Promise<void> {
    const subject = aggregate.idOf((after ?? before) as E);
    const beforeJson = before === null ? null : aggregate.toResource(before);
    const afterJson = after === null ? null : aggregate.toResource(after);
    await this.emitResources(aggregate, verb, subject, beforeJson, afterJson);
  }

  /**
   * As emit, for resources already in their JSON form (e.g. a snapshot taken
   * before a change). `extra` adds fields of its own to the event value for
   * one kind of consumer (a sealed delivery for the mail sender); it cannot
   * replace before, after, changed or actor.
   */
  async emitResources<E>(
    aggregate: Aggregate<E>,
    verb: ChangeVerb,
    subject: string,
    before: JsonObject | null,
    after: JsonObject | null,
    extra?: JsonObject,
  ): Promise<void> {
    const row = this.outboxRow(aggregate, verb, { subject, before, after }, extra);
    await insertOutboxRow(this.manager, row);
    await this.tellObserver(aggregate, verb, [row]);
  }

  /**
   * As emitResources for many changes of one aggregate type and verb (a
   * batch of creates), with one outbox INSERT however many there are; the
   * rows are those emitResources writes, in the order given.
   */
  async emitMany<E>(
    aggregate: Aggregate<E>,
    verb: ChangeVerb,
    changes: readonly ResourceChange[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map((change) => this.outboxRow(aggregate, verb, change));
    await insertOutboxRows(this.manager, rows);
    await this.tellObserver(aggregate, verb, rows);
  }

  /**
   * The `mentioned` events of one write (a chat message, a comment), one per
   * mentioned user, with the mentioning resource as subject (its key, so
   * they follow its own events in order).
   * The event's `after` is the Mention (common/v1/mention.proto): who, where
   * and what to link to, never the text.
   */
  async emitMentions<E>(
    aggregate: Aggregate<E>,
    mentions: readonly MentionRecord[],
  ): Promise<void> {
    await this.emitMany(
      aggregate,
      'mentioned',
      mentions.map((mention) => ({
        subject: mention.resourceId,
        before: null,
        after: { ...mention },
      })),
    );
  }

  /** The aggregate's observer, if it has one, told of each row just written (in order). */
  private async tellObserver<E>(
    aggregate: Aggregate<E>,
    verb: ChangeVerb,
    rows: readonly ReturnType<Tx['outboxRow']>[],
  ): Promise<void> {
    if (!aggregate.observe) return;
    for (const row of rows) {
      const { before, after, changed, actor } = row.payload;
      await aggregate.observe(this, {
        eventId: row.eventId,
        verb,
        subject: row.messageKey,
        before,
        after,
        changed,
        actor,
        time: row.time,
      });
    }
  }

  private outboxRow<E>(
    aggregate: Aggregate<E>,
    verb: ChangeVerb,
    change: ResourceChange,
    extra: JsonObject = {},
  ) {
    const { subject, before, after } = change;
    return {
      eventId: uuidv7(),
      topic: aggregate.topic,
      messageKey: subject,
      type: eventType(aggregate.topic, verb),
      source: aggregate.source,
      time: new Date(),
      payload: {
        ...extra,
        before,
        after,
        changed: changedFields(before, after),
        actor: this.actor,
      },
    };
  }
}

/** One change of one aggregate, its resource before and after in JSON form. */
export interface ResourceChange {
  subject: string;
  before: JsonObject | null;
  after: JsonObject | null;
}

const MAX_ATTEMPTS = 3;

/**
 * Runs `work` in one transaction. A deadlock or serialization failure rolls
 * everything back (outbox rows included), so the work is simply run again, a
 * few times, before the conflict reaches the caller (as ABORTED).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  actor: string | null,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runTransaction(dataSource, actor, work);
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * One attempt, on a connection of its own. TypeORM releases a query runner as
 * soon as its connection reports an error (the server ended the session: a
 * restart, a failover) and the transaction's next query then fails with "query
 * runner already released", which reads like a bug. The connection's own error
 * is thrown instead, so the caller learns that the database was unavailable.
 */
async function runTransaction<T>(
  dataSource: DataSource,
  actor: string | null,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  let connectionError: unknown;
  const remember = (error: unknown): void => {
    connectionError ??= error;
  };
  let connection: EventEmitter | undefined;
  try {
    connection = (await runner.connect()) as EventEmitter;
    connection.on('error', remember);
    return await runner.manager.transaction((manager) => work(new Tx(manager, actor)));
  } catch (error) {
    throw connectionError !== undefined && isReleasedRunnerError(error) ? connectionError : error;
  } finally {
    connection?.off('error', remember);
    await runner.release();
  }
}

function isReleasedRunnerError(error: unknown): boolean {
  return (
    error instanceof QueryRunnerAlreadyReleasedError ||
    error instanceof QueryRunnerProviderAlreadyReleasedError
  );
}
