import { DeletedUserEntity } from './deleted-user.entity';
import type { PlatformEvent } from '@nexus/events';
import type { Tx } from '@nexus/db';
import { ChatMemberEntity } from '../rooms/chat-member.entity';
import type { MailboxService } from '../mailboxes/mailbox.service';
import type { ChatRoomStore } from '../rooms/chat-room.store';

/**
 * What comms does when a user changes: a new user gets their mailboxes; a
 * deleted (or deactivated) user leaves every room, and their messages and
 * emails stay for the others, shown as from a deleted sender. Replays find
 * nothing left to do.
 */
export class UserEventsHandler {
  constructor(
    private readonly mailboxes: MailboxService,
    private readonly rooms: ChatRoomStore,
  ) {}

  async handle(event: PlatformEvent, tx: Tx): Promise<void> {
    const userId = event.subject;
    switch (event.type) {
      case 'nexus.users.user.created':
        await this.mailboxes.createRoles(tx, [userId]);
        return;
      case 'nexus.users.user.deleted':
        await this.userDeleted(userId, event.time, tx);
        return;
      case 'nexus.users.user.restored':
        await tx.manager.delete(DeletedUserEntity, { userId });
        return;
      default:
        return;
    }
  }

  private async userDeleted(userId: string, time: Date, tx: Tx): Promise<void> {
    await tx.manager
      .createQueryBuilder()
      .insert()
      .into(DeletedUserEntity)
      .values({ userId, deletedAt: time })
      .orIgnore()
      .execute();
    const memberships = await tx.manager.find(ChatMemberEntity, { where: { userId } });
    for (const { roomId } of memberships.sort((a, b) => (a.roomId < b.roomId ? -1 : 1))) {
      await this.rooms.update(tx, roomId, {
        apply: async (room, applying) => {
          if (await this.rooms.removeMember(tx.manager, room, userId)) {
            await applying.reloadChildren();
          }
        },
      });
    }
  }
}
