import type { DataSource, EntityManager } from 'typeorm';
import { MAILBOX_ROLES, MailboxEntity, type MailboxRole } from './mailbox.entity';

/** A change of one mailbox's counters, by the number of copies moved in or out. */
export interface CountChange {
  total: number;
  unread: number;
}

/** The mailboxes of each user: created on first use, counters moved with the copies. */
export class MailboxService {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates whichever of the user's four mailboxes are missing; safe to repeat. */
  async ensure(manager: EntityManager, ownerId: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(MailboxEntity)
      .values(MAILBOX_ROLES.map((role) => ({ ownerId, role, totalCount: 0, unreadCount: 0 })))
      .orIgnore()
      .execute();
  }

  /** Moves a mailbox's counters; call in the transaction that moves the copies. */
  async adjust(
    manager: EntityManager,
    ownerId: string,
    role: MailboxRole,
    change: CountChange,
  ): Promise<void> {
    if (change.total === 0 && change.unread === 0) return;
    await this.ensure(manager, ownerId);
    await manager.query(
      `UPDATE "comms"."mailboxes" SET "total_count" = "total_count" + $3, "unread_count" = "unread_count" + $4 WHERE "owner_id" = $1 AND "role" = $2`,
      [ownerId, role, change.total, change.unread],
    );
  }

  /** The counters change of moving one copy (`unread` or not) out of or into a mailbox. */
  static one(isRead: boolean, direction: 1 | -1): CountChange {
    return { total: direction, unread: isRead ? 0 : direction };
  }

  async list(ownerId: string): Promise<MailboxEntity[]> {
    await this.ensure(this.dataSource.manager, ownerId);
    const boxes = await this.dataSource.manager.find(MailboxEntity, { where: { ownerId } });
    return MAILBOX_ROLES.map((role) => boxes.find((box) => box.role === role)!);
  }
}
