import type { SelectQueryBuilder } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import { KitError, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, violatedUniqueConstraint, type Tx } from '@nexus/db';
import {
  checkActive,
  checkCanWrite,
  checkInvite,
  checkJoin,
  checkManage,
  checkMember,
  checkNotDirect,
  checkRead,
  directKey,
} from './chat-access';
import type { ChatMemberEntity } from './chat-member.entity';
import { ChatRoomEntity, type RoomKind } from './chat-room.entity';
import type { RoomView } from './chat-room.mapping';
import type { ChatRoomStore } from './chat-room.store';
import { readMarkerAggregate } from './read-marker.aggregate';

export interface NewRoom {
  name: string;
  kind: RoomKind;
  topic: string;
}

export interface RoomFilters {
  userId: string;
  scope: 'joined' | 'public_channels';
  kind?: RoomKind;
}

/** A room's counts for one member. */
export interface RoomCounts {
  unreadCount: number;
  mentionCount: number;
}

export interface RoomWithView {
  room: ChatRoomEntity;
  view?: RoomView;
}

/** Rooms and their membership. */
export class ChatRoomService {
  constructor(
    /** Rooms with their members (hydrated by the store). */
    private readonly rooms: ChatRoomStore,
    private readonly directory: UserDirectory,
  ) {}

  /** A new room with the caller as owner; a direct room of an existing pair is returned as it is. */
  async create(
    caller: Principal,
    input: NewRoom,
    memberIds: string[],
    requestKey: IdempotencyKey | undefined,
    deadline: Date | undefined,
  ): Promise<ChatRoomEntity> {
    checkCanWrite(caller);
    const others = [...new Set(memberIds)].filter((id) => id !== caller.userId);
    const key = input.kind === 'direct' ? directKey(caller.userId, others[0] ?? '') : null;
    if (key) {
      const existing = await this.findDirect(key);
      if (existing) return existing;
    }
    await this.directory.requireActive(
      caller,
      others.map((id) => ({ id, field: `member_ids[${memberIds.indexOf(id)}]` })),
      deadline,
    );
    try {
      return await inTransaction(this.rooms.dataSource, caller.userId, (tx) =>
        this.insert(tx, caller, input, others, key, requestKey),
      );
    } catch (error) {
      // A concurrent create of the same pair won: return its room.
      if (key && violatedUniqueConstraint(error) === 'UQ_chat_rooms_direct_key') {
        const existing = await this.findDirect(key);
        if (existing) return existing;
      }
      throw error;
    }
  }

  async get(caller: Principal, id: string): Promise<RoomWithView> {
    const room = await this.rooms.get(id);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    checkRead(caller, room, member);
    const [view] = await this.viewsOf(caller, [room]);
    return { room, view };
  }

  async list(
    caller: Principal,
    query: {
      filters: Omit<RoomFilters, 'userId'>;
      showDeleted: boolean;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ) {
    const filters: RoomFilters = { ...query.filters, userId: caller.userId };
    const page = await this.rooms.list({
      filter: (qb) => applyFilters(qb, filters),
      filterValues: { ...filters, showDeleted: query.showDeleted },
      order: { key: 'activity_desc', property: 'lastMessageAt', direction: 'DESC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
      showDeleted: query.showDeleted,
    });
    const views = await this.viewsOf(caller, page.items);
    const items: RoomWithView[] = page.items.map((room, index) => ({ room, view: views[index] }));
    return { items, nextPageToken: page.nextPageToken, totalSize: page.totalSize };
  }

  async update(
    caller: Principal,
    id: string,
    etag: string,
    changes: { name?: string; topic?: string },
  ): Promise<ChatRoomEntity> {
    return this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        etag,
        authorize: asLocked(caller, (room, member) => checkManage(caller, room, member)),
        apply: (room) => {
          checkActive(room);
          if (changes.name !== undefined) room.name = changes.name;
          if (changes.topic !== undefined) room.topic = changes.topic;
        },
      }),
    );
  }

  async archive(caller: Principal, id: string, etag: string): Promise<ChatRoomEntity> {
    return this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        etag,
        verb: 'deleted',
        authorize: asLocked(caller, (room, member) => checkManage(caller, room, member)),
        apply: (room) => {
          checkActive(room);
          room.deletedAt = new Date();
        },
      }),
    );
  }

  async restore(caller: Principal, id: string): Promise<ChatRoomEntity> {
    return this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        verb: 'restored',
        authorize: asLocked(caller, (room, member) => checkManage(caller, room, member)),
        apply: (room) => {
          if (!room.deletedAt) throw new KitError('NOT_DELETED', `chat room ${id} is not archived`);
          room.deletedAt = null;
        },
      }),
    );
  }

  async join(caller: Principal, id: string): Promise<ChatRoomEntity> {
    checkCanWrite(caller);
    return this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        authorize: asLocked(caller, (room) => {
          checkJoin(room);
          checkActive(room);
        }),
        apply: async (current, applying) => {
          const added = await this.rooms.addMembers(tx.manager, current.id, [
            { userId: caller.userId, role: 'member' },
          ]);
          if (added) await applying.reloadChildren();
        },
      }),
    );
  }

  async invite(
    caller: Principal,
    id: string,
    userIds: string[],
    deadline: Date | undefined,
  ): Promise<ChatRoomEntity> {
    const room = await this.rooms.get(id);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    checkRead(caller, room, member);
    checkInvite(caller, room, member);
    checkActive(room);
    await this.directory.requireActive(
      caller,
      userIds.map((userId, index) => ({ id: userId, field: `user_ids[${index}]` })),
      deadline,
    );
    return this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        authorize: asLocked(caller, (locked, own) => {
          checkInvite(caller, locked, own);
          checkActive(locked);
        }),
        apply: async (current, applying) => {
          const added = await this.rooms.addMembers(
            tx.manager,
            current.id,
            userIds.map((userId) => ({ userId, role: 'member' as const })),
          );
          if (added) await applying.reloadChildren();
        },
      }),
    );
  }

  async leave(caller: Principal, id: string): Promise<void> {
    await this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        authorize: asLocked(caller, (room, member) => {
          checkMember(room, member);
          checkNotDirect(room);
        }),
        apply: async (current, applying) => {
          if (await this.rooms.removeMember(tx.manager, current, caller.userId)) {
            await applying.reloadChildren();
          }
        },
      }),
    );
  }

  async removeMember(caller: Principal, id: string, userId: string): Promise<ChatRoomEntity> {
    return this.write(caller, (tx) =>
      this.rooms.update(tx, id, {
        authorize: asLocked(caller, (room, member) => {
          checkManage(caller, room, member);
          checkNotDirect(room);
        }),
        apply: async (current, applying) => {
          if (await this.rooms.removeMember(tx.manager, current, userId)) {
            await applying.reloadChildren();
          }
        },
      }),
    );
  }

  /**
   * The caller's unread and mention counts in every room they are a member
   * of (or in `roomId` alone): where WatchMyRooms starts counting from.
   */
  async memberCounts(caller: Principal, roomId?: string): Promise<Map<string, RoomCounts>> {
    const counts = new Map<string, RoomCounts>();
    const add = ({ room, view }: RoomWithView) => {
      if (!view || !room.members.some((m) => m.userId === caller.userId)) return;
      counts.set(room.id, { unreadCount: view.unreadCount, mentionCount: view.mentionCount });
    };
    if (roomId) {
      add(await this.get(caller, roomId));
      return counts;
    }
    let pageToken = '';
    do {
      const page = await this.list(caller, {
        filters: { scope: 'joined' },
        showDeleted: true,
        pageSize: 1000,
        pageToken,
        includeTotal: false,
      });
      page.items.forEach(add);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return counts;
  }

  /** Refuses unless the caller may post in the room now (typing, like posting: members of an active room). */
  async checkCanPost(caller: Principal, id: string): Promise<void> {
    checkCanWrite(caller);
    const room = await this.rooms.get(id);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    checkRead(caller, room, member);
    checkMember(room, member);
    checkActive(room);
  }

  /** Moves the caller's read marker to the room's latest message: nothing unread, no mention left. */
  async markRead(caller: Principal, id: string): Promise<void> {
    const room = await this.rooms.get(id);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    checkRead(caller, room, member);
    checkMember(room, member);
    // The member's own state, not part of the room resource: its own event,
    // for the reader's other sessions and the room's read receipts.
    await this.write(caller, async (tx) => {
      await tx.manager.query(
        `UPDATE "comms"."chat_members" m SET "last_read_seq" = r."last_seq" FROM "comms"."chat_rooms" r
         WHERE r."id" = m."room_id" AND m."room_id" = $1 AND m."user_id" = $2`,
        [id, caller.userId],
      );
      const marker = { id, userId: caller.userId, readTime: new Date() };
      await tx.emit(readMarkerAggregate, 'updated', null, marker);
    });
  }

  /** The caller's own counts in each room (zero where they are not a member). */
  private async viewsOf(caller: Principal, rooms: ChatRoomEntity[]): Promise<RoomView[]> {
    const own = rooms.map((room) => room.members.find((m) => m.userId === caller.userId) ?? null);
    const mentions = await this.rooms.mentionCounts(
      caller.userId,
      own.flatMap((member) => (member ? [member] : [])),
    );
    return rooms.map((room, index) => viewOf(room, own[index], mentions.get(room.id) ?? 0));
  }

  private write<T>(caller: Principal, work: (tx: Tx) => Promise<T>): Promise<T> {
    return inTransaction(this.rooms.dataSource, caller.userId, work);
  }

  private async findDirect(key: string): Promise<ChatRoomEntity | null> {
    const room = await this.rooms.dataSource.manager.findOne(ChatRoomEntity, {
      where: { directKey: key },
      withDeleted: true,
    });
    return room ? this.rooms.get(room.id) : null;
  }

  /** Inserts room and members, then emits one `created` with both; honours request_id. */
  private async insert(
    tx: Tx,
    caller: Principal,
    input: NewRoom,
    others: string[],
    key: string | null,
    requestKey: IdempotencyKey | undefined,
  ): Promise<ChatRoomEntity> {
    const creatorRole = input.kind === 'direct' ? 'member' : 'owner';
    const { entity } = await this.rooms.create(
      tx,
      {
        name: input.name,
        kind: input.kind,
        topic: input.topic,
        creatorId: caller.userId,
        directKey: key,
        lastSeq: '0',
      },
      requestKey,
      {
        children: async (room) => {
          await this.rooms.addMembers(tx.manager, room.id, [
            { userId: caller.userId, role: creatorRole },
            ...others.map((userId) => ({ userId, role: 'member' as const })),
          ]);
        },
        authorizeReplay: (room) =>
          checkRead(caller, room, room.members.find((m) => m.userId === caller.userId) ?? null),
      },
    );
    return entity;
  }
}

/**
 * The caller's rights judged on the room as the write locked it (with its
 * members), so a removal, demotion or archive committed meanwhile wins.
 */
function asLocked(
  caller: Principal,
  check: (room: ChatRoomEntity, member: ChatMemberEntity | null) => void,
): (room: ChatRoomEntity) => void {
  return (room) => {
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    checkRead(caller, room, member);
    check(room, member);
  };
}

function viewOf(
  room: ChatRoomEntity,
  member: ChatMemberEntity | null,
  mentionCount: number,
): RoomView {
  const unread = member ? Number(room.lastSeq) - Number(member.lastReadSeq) : 0;
  return {
    unreadCount: Math.max(0, unread),
    mentionCount: member ? mentionCount : 0,
    lastMessageTime: room.lastMessageAt,
  };
}

function applyFilters(qb: SelectQueryBuilder<ChatRoomEntity>, filters: RoomFilters): void {
  if (filters.scope === 'joined') {
    qb.andWhere(
      'e.id IN (SELECT m.room_id FROM "comms"."chat_members" m WHERE m.user_id = :userId)',
      { userId: filters.userId },
    );
  } else {
    qb.andWhere("e.kind = 'channel'");
  }
  if (filters.kind) qb.andWhere('e.kind = :kind', { kind: filters.kind });
}
