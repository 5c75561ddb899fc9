import { In, type DataSource, type EntityManager } from 'typeorm';
import { KitError } from '@nexus/core';
import { ROW_WRITE_LOCK, etagOf, type ChangeVerb, type Tx } from '@nexus/db';
import { ChatMemberEntity } from './chat-member.entity';
import { chatRoomAggregate } from './chat-room.aggregate';
import { ChatRoomEntity } from './chat-room.entity';

/**
 * Rooms with their members, read and changed as one aggregate: every
 * committed change (fields or membership) bumps the room's version and
 * emits one `nexus.comms.chat-room` event with the members before and after.
 */
export class RoomStore {
  constructor(readonly dataSource: DataSource) {}

  async find(
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ChatRoomEntity | null> {
    const room = await manager.findOne(ChatRoomEntity, { where: { id }, withDeleted: true });
    if (room) room.members = await this.membersOf(manager, [id]);
    return room;
  }

  async get(id: string, manager?: EntityManager): Promise<ChatRoomEntity> {
    const room = await this.find(id, manager);
    if (!room) throw KitError.notFound('chat room', id);
    return room;
  }

  async member(roomId: string, userId: string, manager: EntityManager = this.dataSource.manager) {
    return manager.findOne(ChatMemberEntity, { where: { roomId, userId } });
  }

  async membersOf(manager: EntityManager, roomIds: string[]): Promise<ChatMemberEntity[]> {
    if (roomIds.length === 0) return [];
    return manager.find(ChatMemberEntity, { where: { roomId: In(roomIds) } });
  }

  /**
   * Locks the room, applies `apply` (which returns whether it changed
   * anything), and if so bumps the version and emits the event.
   */
  async change(
    tx: Tx,
    id: string,
    options: {
      etag?: string;
      verb?: ChangeVerb;
      apply: (room: ChatRoomEntity, tx: Tx) => Promise<boolean> | boolean;
    },
  ): Promise<ChatRoomEntity> {
    const room = await tx.manager.findOne(ChatRoomEntity, {
      where: { id },
      withDeleted: true,
      lock: ROW_WRITE_LOCK,
    });
    if (!room) throw KitError.notFound('chat room', id);
    room.members = await this.membersOf(tx.manager, [id]);
    if (options.etag && options.etag !== etagOf(room)) {
      throw new KitError(
        'ETAG_MISMATCH',
        `etag ${options.etag} does not match the current version; read the room again and retry`,
        [],
        { current_etag: etagOf(room) },
      );
    }
    const before = chatRoomAggregate.toResource(room);
    if (!(await options.apply(room, tx))) return room;
    await tx.manager.update(
      ChatRoomEntity,
      { id },
      {
        name: room.name,
        topic: room.topic,
        deletedAt: room.deletedAt,
        version: () => '"version" + 1',
      },
    );
    const after = await this.get(id, tx.manager);
    await tx.emitResources(
      chatRoomAggregate,
      options.verb ?? 'updated',
      id,
      before,
      chatRoomAggregate.toResource(after),
    );
    return after;
  }

  /** Adds members (skipping those already in); returns whether any was added. */
  async addMembers(
    manager: EntityManager,
    roomId: string,
    members: { userId: string; role: 'owner' | 'member' }[],
  ): Promise<boolean> {
    if (members.length === 0) return false;
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(ChatMemberEntity)
      .values(members.map((member) => ({ roomId, ...member, lastReadSeq: '0' })))
      .orIgnore()
      .returning('user_id')
      .execute();
    return (inserted.raw as unknown[]).length > 0;
  }

  /**
   * Removes a member; when the last owner goes, the longest-standing member
   * becomes owner so the room stays manageable. Returns whether one was removed.
   */
  async removeMember(manager: EntityManager, roomId: string, userId: string): Promise<boolean> {
    const removed = await manager.delete(ChatMemberEntity, { roomId, userId });
    if (!removed.affected) return false;
    const owners = await manager.count(ChatMemberEntity, { where: { roomId, role: 'owner' } });
    const room = await manager.findOne(ChatRoomEntity, {
      where: { id: roomId },
      withDeleted: true,
    });
    if (owners === 0 && room?.kind !== 'direct') {
      const heir = await manager.findOne(ChatMemberEntity, {
        where: { roomId },
        order: { joinedAt: 'ASC', userId: 'ASC' },
      });
      if (heir)
        await manager.update(ChatMemberEntity, { roomId, userId: heir.userId }, { role: 'owner' });
    }
    return true;
  }
}
