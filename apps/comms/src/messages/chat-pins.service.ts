import type { Principal } from '@nexus/core';
import { inTransaction, type Page } from '@nexus/db';
import { CommsError } from '../comms.errors';
import {
  checkActive,
  checkCanWrite,
  checkMember,
  checkNotDeleted,
  checkRead,
} from '../rooms/chat-access';
import type { ChatRoomStore } from '../rooms/chat-room.store';
import type { ChatMessageEntity } from './chat-message.entity';
import type { ChatMessageStore } from './chat-message.store';
import type { MessageReader } from './message-reader';

/** Pinned messages a room may hold; one more is FAILED_PRECONDITION `PIN_LIMIT_REACHED`. */
export const MAX_PINS_PER_ROOM = 50;

/**
 * Pins: any member of a room pins or unpins its messages, as in Mattermost
 * (not only owners: a pin is a shared bookmark, not moderation). A pin is a
 * change of the message; the room's pin counter holds the limit under
 * concurrent pins. Pinning a pinned message, or unpinning one that is not,
 * changes nothing.
 */
export class ChatPinService {
  constructor(
    private readonly messages: ChatMessageStore,
    private readonly rooms: ChatRoomStore,
    private readonly reader: MessageReader,
  ) {}

  async pin(caller: Principal, id: string): Promise<ChatMessageEntity> {
    await this.checkMayPin(caller, id);
    const message = await inTransaction(this.messages.dataSource, caller.userId, (tx) =>
      this.messages.update(tx, id, {
        verb: 'pinned',
        apply: async (message) => {
          checkNotDeleted(message);
          if (message.pinnedAt) return;
          if (!(await this.messages.countPin(tx.manager, message.roomId, MAX_PINS_PER_ROOM)))
            throw new CommsError(
              'PIN_LIMIT_REACHED',
              `room ${message.roomId} already has ${MAX_PINS_PER_ROOM} pinned messages`,
            );
          message.pinnedAt = new Date();
          message.pinnedBy = caller.userId;
        },
      }),
    );
    return this.reader.shownOne(caller, message);
  }

  async unpin(caller: Principal, id: string): Promise<ChatMessageEntity> {
    await this.checkMayPin(caller, id);
    const message = await inTransaction(this.messages.dataSource, caller.userId, (tx) =>
      this.messages.update(tx, id, {
        verb: 'unpinned',
        apply: async (message) => {
          if (!message.pinnedAt) return;
          await this.messages.uncountPin(tx.manager, message.roomId);
          message.pinnedAt = null;
          message.pinnedBy = null;
        },
      }),
    );
    return this.reader.shownOne(caller, message);
  }

  /** The room's pinned messages, most recently pinned first; for whoever can read the room. */
  async list(
    caller: Principal,
    roomId: string,
    page: { pageSize: number; pageToken: string },
  ): Promise<Page<ChatMessageEntity>> {
    const room = await this.rooms.get(roomId);
    checkRead(caller, room, room.members.find((m) => m.userId === caller.userId) ?? null);
    const result = await this.messages.list({
      // Matches the partial index of the room's pins.
      filter: (qb) =>
        qb.andWhere('e.room_id = :roomId AND e.pinned_at IS NOT NULL', { roomId: room.id }),
      filterValues: { roomId: room.id },
      order: { key: 'pin_time_desc', property: 'pinnedAt', direction: 'DESC' },
      pageSize: page.pageSize,
      pageToken: page.pageToken,
    });
    await this.reader.shown(caller, result.items);
    return result;
  }

  /** As posting: a member of a room that is not archived (NOT_FOUND for who cannot read it). */
  private async checkMayPin(caller: Principal, id: string): Promise<void> {
    checkCanWrite(caller);
    const { room, member } = await this.reader.readable(caller, id);
    checkMember(room, member);
    checkActive(room);
  }
}
