import { etagOf } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { MemberRole } from './chat-member.entity';
import type { ChatRoomEntity, RoomKind } from './chat-room.entity';

export const KIND_TO_PROTO: Record<RoomKind, commsV1.RoomKind> = {
  channel: commsV1.RoomKind.ROOM_KIND_CHANNEL,
  private: commsV1.RoomKind.ROOM_KIND_PRIVATE,
  direct: commsV1.RoomKind.ROOM_KIND_DIRECT,
};

const ROLE_TO_PROTO: Record<MemberRole, commsV1.MemberRole> = {
  owner: commsV1.MemberRole.MEMBER_ROLE_OWNER,
  member: commsV1.MemberRole.MEMBER_ROLE_MEMBER,
};

/** What only the caller sees of a room: their unread and mention counts and the last activity. */
export interface RoomView {
  unreadCount: number;
  mentionCount: number;
  lastMessageTime?: Date;
}

/** The API's view of a room; `view` is absent in events, which are the same for everyone. */
export function toRoomMessage(room: ChatRoomEntity, view?: RoomView): commsV1.ChatRoom {
  return {
    id: room.id,
    name: room.name,
    kind: KIND_TO_PROTO[room.kind],
    topic: room.topic,
    creatorId: room.creatorId,
    members: [...room.members]
      .sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || (a.userId < b.userId ? -1 : 1))
      .map((member) => ({
        userId: member.userId,
        role: ROLE_TO_PROTO[member.role],
        joinTime: member.joinedAt,
      })),
    unreadCount: view?.unreadCount ?? 0,
    mentionCount: view?.mentionCount ?? 0,
    lastMessageTime: view?.lastMessageTime,
    createTime: room.createdAt,
    updateTime: room.updatedAt,
    deleteTime: room.deletedAt ?? undefined,
    etag: etagOf(room),
  };
}
