import type { EntityManager } from 'typeorm';
import { KitError, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, violatedUniqueConstraint, type Tx } from '@nexus/db';
import { CommsError } from '../comms.errors';
import { checkCanWrite } from '../emails/email-access';
import { MAILBOX_ROLES, type MailboxEntity, ROLE_NAMES, type MailboxRole } from './mailbox.entity';
import { NO_COUNTS, type MailboxCounts } from './mailbox.mapping';
import { isForeignKeyViolation, type MailboxStore } from './mailbox.store';

/** How deep folders nest (a top-level folder is depth 1). */
export const MAX_MAILBOX_DEPTH = 10;
/** Mailboxes one user may have, the six role mailboxes included. */
export const MAX_MAILBOXES = 1000;

export type RoleMailboxes = Map<MailboxRole, MailboxEntity>;

export interface MailboxWithCounts {
  mailbox: MailboxEntity;
  counts: MailboxCounts;
}

export interface MailboxFields {
  name: string;
  parentId: string | null;
  sortOrder: number;
}

/**
 * Empties a mailbox being deleted, in its transaction: every copy leaves it
 * (each an email change of its own). Given by the email side, which owns
 * the copies.
 */
export type MailboxEvictor = (
  tx: Tx,
  mailbox: MailboxEntity,
  emailIds: readonly string[],
) => Promise<void>;

/**
 * A user's mailboxes (JMAP Mailbox): the six role mailboxes, made on first
 * use, and folders of their own. Another user's mailbox is NOT_FOUND.
 */
export class MailboxService {
  constructor(
    private readonly store: MailboxStore,
    private readonly evict: MailboxEvictor,
  ) {}

  /**
   * The role mailboxes of each owner, creating the missing ones (a `created`
   * event each) in a transaction of their own. Two first uses at once: one
   * creates, the other's insert meets the unique role index and reads what
   * the first made.
   */
  async roles(ownerIds: readonly string[]): Promise<Map<string, RoleMailboxes>> {
    const owners = [...new Set(ownerIds)];
    const found = await this.store.roles(owners);
    if (owners.every((owner) => found.get(owner)?.size === MAILBOX_ROLES.length)) return found;
    try {
      await inTransaction(this.store.dataSource, null, (tx) => this.createRoles(tx, owners));
    } catch (error) {
      if (violatedUniqueConstraint(error) !== 'UQ_mailboxes_owner_role') throw error;
    }
    return this.store.roles(owners);
  }

  async rolesOf(ownerId: string): Promise<RoleMailboxes> {
    return (await this.roles([ownerId])).get(ownerId)!;
  }

  /** The owner's role mailboxes as the transaction sees them (they exist: made before). */
  async rolesIn(tx: Tx, ownerId: string): Promise<RoleMailboxes> {
    return (await this.store.roles([ownerId], tx.manager)).get(ownerId)!;
  }

  async ownedBy(ownerId: string): Promise<MailboxEntity[]> {
    return this.store.ownedBy(ownerId);
  }

  /** In the caller's transaction (a new user's event): creates what is missing. */
  async createRoles(tx: Tx, ownerIds: readonly string[]): Promise<void> {
    const existing = await this.store.roles(ownerIds, tx.manager);
    const missing = ownerIds.flatMap((ownerId) =>
      MAILBOX_ROLES.filter((role) => !existing.get(ownerId)?.has(role)).map((role) => ({
        values: { ownerId, role, name: ROLE_NAMES[role], parentId: null, sortOrder: 0 },
      })),
    );
    if (missing.length > 0) await this.store.createMany(tx, missing);
  }

  /** Every mailbox of the caller with its counts, parents before children. */
  async list(caller: Principal): Promise<MailboxWithCounts[]> {
    await this.rolesOf(caller.userId);
    const mailboxes = await this.store.ownedBy(caller.userId);
    const counts = await this.store.counts(mailboxes.map((mailbox) => mailbox.id));
    return treeOrder(mailboxes).map((mailbox) => ({
      mailbox,
      counts: counts.get(mailbox.id) ?? NO_COUNTS,
    }));
  }

  async get(caller: Principal, id: string): Promise<MailboxWithCounts> {
    const mailbox = await this.getOwned(caller.userId, id);
    const counts = await this.store.counts([id]);
    return { mailbox, counts: counts.get(id) ?? NO_COUNTS };
  }

  /** The owner's mailbox, or NOT_FOUND: another user's mailbox is not there for them. */
  async getOwned(ownerId: string, id: string, manager?: EntityManager): Promise<MailboxEntity> {
    const mailbox = await this.store.find(id, { manager });
    if (!mailbox || mailbox.ownerId !== ownerId) throw KitError.notFound('mailbox', id);
    return mailbox;
  }

  /** All of `ids`, the owner's, or NOT_FOUND naming the first that is not. */
  async requireOwned(ownerId: string, ids: readonly string[]): Promise<MailboxEntity[]> {
    const found = new Map(
      (await this.store.ownedBy(ownerId)).map((mailbox) => [mailbox.id, mailbox]),
    );
    return ids.map((id) => {
      const mailbox = found.get(id);
      if (!mailbox) throw KitError.notFound('mailbox', id);
      return mailbox;
    });
  }

  async create(
    caller: Principal,
    fields: MailboxFields,
    key: IdempotencyKey | undefined,
  ): Promise<MailboxWithCounts> {
    checkCanWrite(caller);
    await this.rolesOf(caller.userId);
    const mailboxes = await this.store.ownedBy(caller.userId);
    if (fields.parentId) depthUnder(mailboxes, fields.parentId);
    const mailbox = await this.write(caller, async (tx) => {
      const { entity } = await this.store.create(
        tx,
        async () => {
          if (mailboxes.length >= MAX_MAILBOXES) {
            throw new CommsError(
              'TOO_MANY_MAILBOXES',
              `a user has at most ${MAX_MAILBOXES} mailboxes`,
            );
          }
          if (fields.parentId) await this.lockChain(tx, caller.userId, fields.parentId, null);
          return { ownerId: caller.userId, role: null, ...fields };
        },
        key,
        { authorizeReplay: (entity) => this.checkOwner(caller, entity) },
      );
      return entity;
    });
    return {
      mailbox,
      counts: (await this.store.counts([mailbox.id])).get(mailbox.id) ?? NO_COUNTS,
    };
  }

  async update(
    caller: Principal,
    id: string,
    etag: string,
    changes: Partial<MailboxFields>,
  ): Promise<MailboxWithCounts> {
    checkCanWrite(caller);
    const current = await this.getOwned(caller.userId, id);
    if (changes.parentId !== undefined && current.role && changes.parentId !== null) {
      throw new CommsError('ROLE_MAILBOX_FIXED', `the ${current.role} mailbox stays at the top`);
    }
    const mailbox = await this.write(caller, (tx) =>
      this.store.update(tx, id, {
        etag: etag || undefined,
        authorize: (locked) => this.checkOwner(caller, locked),
        apply: async (locked) => {
          if (changes.parentId !== undefined && changes.parentId !== locked.parentId) {
            if (changes.parentId) await this.lockChain(tx, caller.userId, changes.parentId, id);
            locked.parentId = changes.parentId;
          }
          if (changes.name !== undefined) locked.name = changes.name;
          if (changes.sortOrder !== undefined) locked.sortOrder = changes.sortOrder;
        },
      }),
    );
    return { mailbox, counts: (await this.store.counts([id])).get(id) ?? NO_COUNTS };
  }

  /**
   * Deletes a folder without children. Mail in it: refused
   * (MAILBOX_HAS_EMAIL) unless `removeEmails`, when every copy leaves it in
   * the same transaction (those in no other mailbox go to the trash).
   */
  async delete(caller: Principal, id: string, etag: string, removeEmails: boolean): Promise<void> {
    checkCanWrite(caller);
    await this.getOwned(caller.userId, id);
    await this.write(caller, (tx) =>
      this.store.delete(tx, id, {
        soft: false,
        etag: etag || undefined,
        authorize: (locked) => this.checkOwner(caller, locked),
        apply: async (locked) => {
          if (locked.role) {
            throw new CommsError(
              'ROLE_MAILBOX_FIXED',
              `the ${locked.role} mailbox cannot be deleted`,
            );
          }
          if (await this.store.hasChildren(id, tx.manager)) {
            throw new CommsError('MAILBOX_HAS_CHILD', `mailbox ${id} has mailboxes under it`);
          }
          const emailIds = await this.store.emailIdsIn(id, tx.manager);
          if (emailIds.length > 0 && !removeEmails) {
            throw new CommsError(
              'MAILBOX_HAS_EMAIL',
              `mailbox ${id} holds ${emailIds.length} emails; set remove_emails to delete it anyway`,
            );
          }
          await this.evict(tx, locked, emailIds);
        },
      }),
    );
  }

  private checkOwner(caller: Principal, mailbox: MailboxEntity): void {
    if (mailbox.ownerId !== caller.userId) throw KitError.notFound('mailbox', mailbox.id);
  }

  /**
   * Takes the kit's row lock of the new parent and each of its ancestors
   * (a change that changes nothing: no write, no event), then checks the
   * chain: the caller's, no cycle through `moving`, not too deep. Two moves
   * that would close a loop together wait for each other's locks (or one is
   * retried after a deadlock) and the second sees the first's parent.
   */
  private async lockChain(
    tx: Tx,
    ownerId: string,
    parentId: string,
    moving: string | null,
  ): Promise<void> {
    let depth = 1;
    for (let id: string | null = parentId; id; depth += 1) {
      if (id === moving) {
        throw new CommsError('MAILBOX_CYCLE', 'a mailbox cannot be moved under itself', [
          {
            field: 'mailbox.parent_id',
            description: 'is the mailbox or under it',
            reason: 'CYCLE',
          },
        ]);
      }
      const ancestor: MailboxEntity = await this.store.update(tx, id, {
        authorize: (locked) => {
          if (locked.ownerId !== ownerId) throw KitError.notFound('mailbox', locked.id);
        },
        apply: () => undefined,
      });
      id = ancestor.parentId;
    }
    const below = moving ? await this.heightOf(tx.manager, ownerId, moving) : 1;
    if (depth - 1 + below > MAX_MAILBOX_DEPTH) throw tooDeep();
  }

  /** Levels from `id` down to its deepest descendant (a leaf: 1). */
  private async heightOf(manager: EntityManager, ownerId: string, id: string): Promise<number> {
    const mailboxes = await this.store.ownedBy(ownerId, manager);
    const height = (at: string, seen: number): number => {
      if (seen > MAX_MAILBOX_DEPTH) return seen;
      const children = mailboxes.filter((mailbox) => mailbox.parentId === at);
      return 1 + Math.max(0, ...children.map((child) => height(child.id, seen + 1)));
    };
    return height(id, 1);
  }

  /**
   * Runs a write, turning a sibling of the same name into ALREADY_EXISTS,
   * and a deletion that mail moved into meanwhile (the membership's foreign
   * key) into MAILBOX_HAS_EMAIL.
   */
  private async write<T>(caller: Principal, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.store.dataSource, caller.userId, work);
    } catch (error) {
      if (violatedUniqueConstraint(error) === 'UQ_mailboxes_sibling_name') {
        throw new CommsError('MAILBOX_NAME_TAKEN', 'a sibling mailbox already has this name', [
          { field: 'mailbox.name', description: 'is taken by a sibling', reason: 'TAKEN' },
        ]);
      }
      if (isForeignKeyViolation(error)) {
        throw new CommsError(
          'MAILBOX_HAS_EMAIL',
          'mail was filed into the mailbox while it was being deleted; retry',
        );
      }
      throw error;
    }
  }
}

function tooDeep(): CommsError {
  return new CommsError('MAILBOX_TOO_DEEP', `mailboxes nest at most ${MAX_MAILBOX_DEPTH} deep`, [
    {
      field: 'mailbox.parent_id',
      description: `would nest deeper than ${MAX_MAILBOX_DEPTH}`,
      reason: 'TOO_DEEP',
    },
  ]);
}

/** Early refusal of an unknown parent, before any transaction (checked again under the locks). */
function depthUnder(mailboxes: MailboxEntity[], parentId: string): void {
  const byId = new Map(mailboxes.map((mailbox) => [mailbox.id, mailbox]));
  if (!byId.has(parentId)) throw KitError.notFound('mailbox', parentId);
  let depth = 1;
  for (let at = byId.get(parentId); at?.parentId; at = byId.get(at.parentId)) depth += 1;
  if (depth + 1 > MAX_MAILBOX_DEPTH) throw tooDeep();
}

/** Parents before children; the role mailboxes first (in role order), then siblings by sort order and name. */
export function treeOrder(mailboxes: MailboxEntity[]): MailboxEntity[] {
  const roleRank = (mailbox: MailboxEntity) =>
    mailbox.role ? MAILBOX_ROLES.indexOf(mailbox.role) : MAILBOX_ROLES.length;
  const children = new Map<string | null, MailboxEntity[]>();
  for (const mailbox of mailboxes) {
    const siblings = children.get(mailbox.parentId) ?? [];
    siblings.push(mailbox);
    children.set(mailbox.parentId, siblings);
  }
  const ordered: MailboxEntity[] = [];
  const visit = (parentId: string | null) => {
    const siblings = (children.get(parentId) ?? []).sort(
      (a, b) =>
        roleRank(a) - roleRank(b) ||
        a.sortOrder - b.sortOrder ||
        a.name.localeCompare(b.name) ||
        (a.id < b.id ? -1 : 1),
    );
    for (const mailbox of siblings) {
      ordered.push(mailbox);
      visit(mailbox.id);
    }
  };
  visit(null);
  return ordered;
}
