import { KitError, type Principal } from '@nexus/core';
import { inTransaction, type ChangeVerb, type Tx } from '@nexus/db';
import { CommsError } from '../comms.errors';
import type { MailboxEntity, MailboxRole } from '../mailboxes/mailbox.entity';
import { isForeignKeyViolation } from '../mailboxes/mailbox.store';
import { checkCanWrite } from './email-access';
import type { EmailCopies } from './email-copies';
import { MAX_KEYWORDS, applyKeywords } from './email-keywords';
import type { EmailEntity } from './email.entity';

/** What one change does to a copy: its whole mailbox set and/or its keywords. */
export interface Filing {
  mailboxIds?: string[];
  keywords?: { set?: readonly string[]; add?: readonly string[]; remove?: readonly string[] };
}

/** The change, decided on the locked copy (the set it is in now). */
type Decide = (email: EmailEntity, trashId: string) => Filing;

/**
 * Filing copies (JMAP Email/set on mailboxIds and keywords): move (replace
 * the set), label (add one), remove from one, trash and restore, keywords.
 * A copy is always in at least one mailbox; the trash holds a copy alone
 * (moving in records where it was, for Restore). Each change is one change
 * of the copy through the kit: its row lock, the etag, one event (`deleted`
 * into the trash, `restored` out of it, else `updated`).
 */
export class EmailFilingService {
  constructor(private readonly copies: EmailCopies) {}

  /** UpdateEmail: the whole mailbox set and/or keyword set. */
  async update(
    caller: Principal,
    id: string,
    etag: string,
    changes: { mailboxIds?: string[]; keywords?: string[] },
  ): Promise<EmailEntity> {
    if (changes.mailboxIds) await this.requireMailboxes(caller, changes.mailboxIds);
    return this.change(caller, id, etag, () => ({
      mailboxIds: changes.mailboxIds,
      keywords: changes.keywords ? { set: changes.keywords } : undefined,
    }));
  }

  async setKeywords(
    caller: Principal,
    id: string,
    etag: string,
    add: string[],
    remove: string[],
  ): Promise<EmailEntity> {
    return this.change(caller, id, etag, () => ({ keywords: { add, remove } }));
  }

  async setRead(caller: Principal, id: string, read: boolean): Promise<EmailEntity> {
    const keywords = read ? { add: ['$seen'] } : { remove: ['$seen'] };
    return this.change(caller, id, '', () => ({ keywords }));
  }

  async addToMailbox(caller: Principal, id: string, mailboxId: string): Promise<EmailEntity> {
    await this.requireMailboxes(caller, [mailboxId]);
    return this.change(caller, id, '', (email) => ({
      mailboxIds: [...idsOf(email), mailboxId],
    }));
  }

  async removeFromMailbox(caller: Principal, id: string, mailboxId: string): Promise<EmailEntity> {
    await this.requireMailboxes(caller, [mailboxId]);
    return this.change(caller, id, '', (email) => ({
      mailboxIds: idsOf(email).filter((inbox) => inbox !== mailboxId),
    }));
  }

  async moveToTrash(caller: Principal, id: string, etag: string): Promise<EmailEntity> {
    return this.change(caller, id, etag, (email, trashId) => {
      if (idsOf(email).includes(trashId))
        throw new CommsError('ALREADY_IN_TRASH', `email ${id} is already in the trash`);
      return { mailboxIds: [trashId] };
    });
  }

  async restore(caller: Principal, id: string): Promise<EmailEntity> {
    const owned = await this.ownedIds(caller);
    const roles = await this.copies.mailboxes.rolesOf(caller.userId);
    return this.change(caller, id, '', (email, trashId) => {
      if (!idsOf(email).includes(trashId))
        throw new CommsError('NOT_IN_TRASH', `email ${id} is not in the trash`);
      const back = email.previousMailboxIds.filter((previous) => owned.has(previous));
      return { mailboxIds: back.length > 0 ? back : [roles.get(defaultRole(email))!.id] };
    });
  }

  /**
   * Empties a mailbox being deleted (DeleteMailbox with remove_emails), in
   * its transaction: each copy leaves it, and one left in no mailbox goes to
   * the trash (Restore then puts it in the mailbox of its status).
   */
  async evict(tx: Tx, mailbox: MailboxEntity, emailIds: readonly string[]): Promise<void> {
    const roles = await this.copies.mailboxes.rolesIn(tx, mailbox.ownerId);
    const trashId = roles.get('trash')!.id;
    for (const id of emailIds) {
      await this.apply(tx, id, '', trashId, (email) => {
        const rest = idsOf(email).filter((inbox) => inbox !== mailbox.id);
        return { mailboxIds: rest.length > 0 ? rest : [trashId] };
      });
    }
  }

  private async change(
    caller: Principal,
    id: string,
    etag: string,
    decide: Decide,
  ): Promise<EmailEntity> {
    checkCanWrite(caller);
    await this.copies.getOwned(caller.userId, id);
    const trashId = (await this.copies.mailboxes.rolesOf(caller.userId)).get('trash')!.id;
    try {
      const email = await inTransaction(this.copies.dataSource, caller.userId, (tx) =>
        this.apply(tx, id, etag, trashId, decide),
      );
      return await this.copies.withSender(email);
    } catch (error) {
      // A mailbox deleted between the check and this change: the foreign key refused it.
      if (isForeignKeyViolation(error))
        throw new KitError('NOT_FOUND', 'a mailbox named was deleted meanwhile');
      throw error;
    }
  }

  /** One change of a locked copy, as `decide` says. */
  private async apply(
    tx: Tx,
    id: string,
    etag: string,
    trashId: string,
    decide: Decide,
  ): Promise<EmailEntity> {
    let verb: ChangeVerb = 'updated';
    return this.copies.repository.update(tx, id, {
      etag: etag || undefined,
      verb: () => verb,
      apply: async (email, applying) => {
        const filing = decide(email, trashId);
        if (filing.keywords) {
          applyKeywords(email, filing.keywords);
          if (email.keywords.length > MAX_KEYWORDS)
            throw KitError.invalid([
              {
                field: 'keywords',
                description: `a copy carries at most ${MAX_KEYWORDS} keywords`,
                reason: 'TOO_MANY_KEYWORDS',
              },
            ]);
        }
        if (!filing.mailboxIds) return;
        const before = idsOf(email);
        const after = [...new Set(filing.mailboxIds)].sort();
        checkPlacement(id, after, trashId);
        if (after.join() === before.join()) return;
        const wasTrashed = before.includes(trashId);
        const trashed = after.includes(trashId);
        if (trashed && !wasTrashed) {
          email.previousMailboxIds = before;
          verb = 'deleted';
        } else if (wasTrashed && !trashed) {
          email.previousMailboxIds = [];
          verb = 'restored';
        }
        await this.copies.repository.place(tx.manager, id, after);
        await applying.reloadChildren();
      },
    });
  }

  private async requireMailboxes(caller: Principal, ids: string[]): Promise<MailboxEntity[]> {
    return this.copies.mailboxes.requireOwned(caller.userId, ids);
  }

  private async ownedIds(caller: Principal): Promise<Set<string>> {
    const all = await this.copies.mailboxes.ownedBy(caller.userId);
    return new Set(all.map((mailbox) => mailbox.id));
  }
}

function idsOf(email: EmailEntity): string[] {
  return email.mailboxes.map((placement) => placement.mailboxId).sort();
}

/** At least one mailbox; the trash alone. */
function checkPlacement(id: string, mailboxIds: string[], trashId: string): void {
  if (mailboxIds.length === 0)
    throw new CommsError('LAST_MAILBOX', `email ${id} must stay in at least one mailbox`);
  if (mailboxIds.includes(trashId) && mailboxIds.length > 1)
    throw new CommsError(
      'TRASH_IS_EXCLUSIVE',
      'a copy in the trash is in no other mailbox: use MoveToTrash',
      [
        {
          field: 'email.mailbox_ids',
          description: 'names the trash with other mailboxes',
          reason: 'TRASH_IS_EXCLUSIVE',
        },
      ],
    );
}

/** Where a copy with nowhere else to go belongs: the mailbox of its status. */
export function defaultRole(email: EmailEntity): MailboxRole {
  if (email.status === 'draft') return 'drafts';
  return email.status === 'sent' ? 'sent' : 'inbox';
}
