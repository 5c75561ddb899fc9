import type { PlatformEvent } from '@nexus/events';

/** The topics of the caller's mail: their copies and their mailboxes. */
export const EMAIL_TOPIC = 'nexus.comms.email';
export const MAILBOX_TOPIC = 'nexus.comms.mailbox';

/** What the rules read of a change: a live event or a change log entry. */
export type MailChange = Pick<PlatformEvent, 'topic' | 'type' | 'data'>;

/** What the mail events carry of a copy or a mailbox (proto3 JSON of Email / Mailbox). */
interface OwnedResource {
  id?: string;
  ownerId?: string;
  mailboxIds?: string[];
}

/** The resource as it is after the change, or as it was before a deletion. */
export function resourceOf(event: MailChange): OwnedResource | undefined {
  return (event.data.after ?? event.data.before) as OwnedResource | undefined;
}

/** The verb of a change: `nexus.comms.email.sent` -> `sent`. */
export function verbOf(event: MailChange): string {
  return event.type.slice(event.topic.length + 1);
}

/** The mailboxes a copy was in before or is in after the change, each once. */
export function mailboxesTouched(event: MailChange): string[] {
  const before = (event.data.before as OwnedResource | undefined)?.mailboxIds ?? [];
  const after = (event.data.after as OwnedResource | undefined)?.mailboxIds ?? [];
  return [...new Set([...before, ...after])];
}

/** The owner's view: which of the mail events WatchMailbox and GetEmailChanges tell them. */
export interface MailSelection {
  ownerId: string;
  /** Only the copies that are, were or come to be in this mailbox, and the mailbox itself. */
  mailboxId?: string;
  /** Leave the mailboxes' own changes out (GetEmailChanges reports copies only). */
  emailsOnly?: boolean;
}

/**
 * The one selection rule of live mail. Emails are per-user copies (one row,
 * and one event, per owner), so a change belongs to the caller exactly when
 * its copy or mailbox is theirs: a copy exists only for its owner
 * (EmailCopies.getOwned), so what is selected is what they could Get. Cheap
 * and synchronous: it runs for every event of the service for every stream.
 */
export function selectsMail(event: MailChange, selection: MailSelection): boolean {
  const isEmail = event.topic === EMAIL_TOPIC;
  if (!isEmail && (event.topic !== MAILBOX_TOPIC || selection.emailsOnly)) return false;
  const resource = resourceOf(event);
  if (!resource || resource.ownerId !== selection.ownerId) return false;
  if (!selection.mailboxId) return true;
  return isEmail
    ? mailboxesTouched(event).includes(selection.mailboxId)
    : resource.id === selection.mailboxId;
}
