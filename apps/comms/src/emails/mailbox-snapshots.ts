import { In } from 'typeorm';
import type { PlatformEvent } from '@nexus/events';
import type { commsV1 } from '@nexus/proto';
import { MailboxEntity } from '../mailboxes/mailbox.entity';
import { NO_COUNTS, toMailboxMessage } from '../mailboxes/mailbox.mapping';
import type { MailboxStore } from '../mailboxes/mailbox.store';
import { MAILBOX_TOPIC, mailboxesTouched, resourceOf } from './mail-events';

/** Mailboxes as the API returns them (with their counts), by id. */
export type MailboxesById = ReadonlyMap<string, commsV1.Mailbox>;

const NONE: MailboxesById = new Map();

/**
 * The mailboxes a change touched, with their counts as they are now, for
 * every WatchMailbox stream at once. Counts are not in the events (they are
 * counted from the memberships when read), so each change's mailboxes are
 * read once, however many streams of their owner send it, and the changes
 * the feed delivers together are read in one batch (two queries: the
 * mailboxes, their counts) rather than once per stream per change.
 */
export class MailboxSnapshots {
  /** Recent changes' reads, oldest first (insertion order), at most `keep`. */
  private readonly byEvent = new Map<string, Promise<MailboxesById>>();
  private batch: { ids: Set<string>; ready: Promise<MailboxesById> } | null = null;
  /** Batches read so far (metrics, tests). */
  reads = 0;

  constructor(
    private readonly store: MailboxStore,
    private readonly keep = 5_000,
  ) {}

  /**
   * The touched mailboxes of a change that still exist, read when the
   * first stream asked: a copy's mailboxes before and after it, or the
   * mailbox itself.
   */
  of(event: PlatformEvent): Promise<MailboxesById> {
    const known = this.byEvent.get(event.id);
    if (known) return known;
    const ids =
      event.topic === MAILBOX_TOPIC ? [resourceOf(event)?.id ?? ''] : mailboxesTouched(event);
    const read = this.read(ids.filter(Boolean));
    this.byEvent.set(event.id, read);
    if (this.byEvent.size > this.keep) this.byEvent.delete(this.byEvent.keys().next().value!);
    // A failed read is forgotten, so the next stream asks again.
    read.catch(() => this.byEvent.delete(event.id));
    return read;
  }

  /** Joins the batch being gathered (read on the next turn of the event loop). */
  private read(ids: string[]): Promise<MailboxesById> {
    if (ids.length === 0) return Promise.resolve(NONE);
    if (!this.batch) {
      const wanted = new Set<string>();
      const ready = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.batch = null;
        return this.load([...wanted]);
      });
      this.batch = { ids: wanted, ready };
    }
    for (const id of ids) this.batch.ids.add(id);
    return this.batch.ready;
  }

  private async load(ids: string[]): Promise<MailboxesById> {
    this.reads += 1;
    const [mailboxes, counts] = await Promise.all([
      this.store.dataSource.manager.find(MailboxEntity, { where: { id: In(ids) } }),
      this.store.counts(ids),
    ]);
    return new Map(
      mailboxes.map((mailbox) => [
        mailbox.id,
        toMailboxMessage(mailbox, counts.get(mailbox.id) ?? NO_COUNTS),
      ]),
    );
  }
}
