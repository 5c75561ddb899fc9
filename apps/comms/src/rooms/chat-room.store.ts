import type { DataSource, EntityManager } from 'typeorm';
import {
  AggregateStore,
  queryPrepared,
  type AggregateChange,
  type PageTokenCodec,
  type ReadOptions,
  type Tx,
} from '@nexus/db';
import { ChatMemberEntity, type MemberRole } from './chat-member.entity';
import { chatRoomAggregate } from './chat-room.aggregate';
import { ChatRoomEntity } from './chat-room.entity';

interface MemberRow {
  room_id: string;
  user_id: string;
  role: MemberRole;
  joined_at: Date;
  last_read_seq: string;
}

const MEMBER_COLUMNS = 'room_id, user_id, role, joined_at, last_read_seq';

function toMember(row: MemberRow): ChatMemberEntity {
  return Object.assign(new ChatMemberEntity(), {
    roomId: row.room_id,
    userId: row.user_id,
    role: row.role,
    joinedAt: row.joined_at,
    lastReadSeq: row.last_read_seq,
  });
}

/** Loads the members of rooms: the part of the room resource that is not a column. */
async function hydrateRooms(manager: EntityManager, rooms: ChatRoomEntity[]): Promise<void> {
  if (rooms.length === 0) return;
  // Every read and write of a room (each PostMessage too) loads them: a prepared statement.
  const rows = await queryPrepared<MemberRow>(
    manager,
    `SELECT ${MEMBER_COLUMNS} FROM "comms"."chat_members" WHERE room_id = ANY($1::uuid[])`,
    [rooms.map((room) => room.id)],
  );
  const members = rows.map(toMember);
  for (const room of rooms) room.members = members.filter((m) => m.roomId === room.id);
}

/**
 * Rooms with their members, read and changed as one aggregate through the
 * kit's store: every committed change (fields or membership) bumps the room's
 * version and emits one `nexus.comms.chat-room` event with the members before
 * and after. An archived room is still read and locked (its rules refuse what
 * it may not do), so reads and changes include deleted rooms unless told not to.
 * The membership SQL lives here too.
 */
export class ChatRoomStore extends AggregateStore<ChatRoomEntity> {
  constructor(dataSource: DataSource, pageTokens: PageTokenCodec) {
    super(dataSource, ChatRoomEntity, chatRoomAggregate, pageTokens, {
      hydrate: hydrateRooms,
      resourceName: 'chat room',
    });
  }

  override find(id: string, options: ReadOptions = {}): Promise<ChatRoomEntity | null> {
    return super.find(id, { withDeleted: true, ...options });
  }

  override update(
    tx: Tx,
    id: string,
    change: AggregateChange<ChatRoomEntity>,
  ): Promise<ChatRoomEntity> {
    return super.update(tx, id, { withDeleted: true, ...change });
  }

  async member(
    roomId: string,
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ChatMemberEntity | null> {
    // The membership check of a message's deletion: a prepared statement of fixed text.
    const [row] = await queryPrepared<MemberRow>(
      manager,
      `SELECT ${MEMBER_COLUMNS} FROM "comms"."chat_members" WHERE room_id = $1 AND user_id = $2`,
      [roomId, userId],
    );
    return row ? toMember(row) : null;
  }

  /**
   * How many messages after each read marker mention `userId`: by name
   * (chat_mentions, indexed by user and room) or `<!room>` (the partial
   * index of such messages); a message that does both counts once. Only
   * mentions after the marker are read, so the cost follows the mentions,
   * not the room's history. Rooms without one are absent.
   */
  async mentionCounts(
    userId: string,
    markers: readonly { roomId: string; lastReadSeq: string }[],
  ): Promise<Map<string, number>> {
    if (markers.length === 0) return new Map();
    // Every GetRoom and ListRooms of a member runs it: a prepared statement of fixed text.
    const rows = await queryPrepared<{ room_id: string; count: number }>(
      this.dataSource.manager,
      `WITH "marker" AS (SELECT * FROM unnest($2::uuid[], $3::bigint[]) AS "r"("room_id", "seq"))
       SELECT "room_id", count(*)::int AS "count" FROM (
         SELECT "m"."room_id", "m"."message_id" FROM "comms"."chat_mentions" "m"
         JOIN "marker" ON "marker"."room_id" = "m"."room_id" AND "m"."seq" > "marker"."seq"
         WHERE "m"."user_id" = $1
         UNION
         SELECT "c"."room_id", "c"."id" FROM "comms"."chat_messages" "c"
         JOIN "marker" ON "marker"."room_id" = "c"."room_id" AND "c"."seq" > "marker"."seq"
         WHERE "c"."mentions_room"
       ) "mentions" GROUP BY "room_id"`,
      [userId, markers.map((m) => m.roomId), markers.map((m) => m.lastReadSeq)],
    );
    return new Map(rows.map((row) => [row.room_id, row.count]));
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
  async removeMember(
    manager: EntityManager,
    room: ChatRoomEntity,
    userId: string,
  ): Promise<boolean> {
    const roomId = room.id;
    const removed = await manager.delete(ChatMemberEntity, { roomId, userId });
    if (!removed.affected) return false;
    const owners = await manager.count(ChatMemberEntity, { where: { roomId, role: 'owner' } });
    if (owners === 0 && room.kind !== 'direct') {
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
