import { KitError, canWrite, isAdmin, type Principal } from '@nexus/core';
import { CommsError } from '../comms.errors';
import type { ChatMemberEntity } from './chat-member.entity';
import type { ChatRoomEntity } from './chat-room.entity';

/** Who may do what in chat: pure rules over the room and the caller's membership. */

export function checkCanWrite(caller: Principal): void {
  if (!canWrite(caller)) throw KitError.denied('guests have read-only access');
}

/** Channels are public; private and direct rooms are read by their members (and admins). */
export function canRead(
  caller: Principal,
  room: ChatRoomEntity,
  member: ChatMemberEntity | null,
): boolean {
  return room.kind === 'channel' || member !== null || isAdmin(caller);
}

export function checkRead(
  caller: Principal,
  room: ChatRoomEntity,
  member: ChatMemberEntity | null,
): void {
  // Hidden rooms are not found, so their existence does not leak.
  if (!canRead(caller, room, member)) throw KitError.notFound('chat room', room.id);
}

export function checkMember(
  room: ChatRoomEntity,
  member: ChatMemberEntity | null,
): ChatMemberEntity {
  if (!member) throw new CommsError('NOT_A_MEMBER', `only members of room ${room.id} may do this`);
  return member;
}

/** Renaming, archiving and removing members: room owners and admins. */
export function checkManage(
  caller: Principal,
  room: ChatRoomEntity,
  member: ChatMemberEntity | null,
): void {
  checkCanWrite(caller);
  if (isAdmin(caller)) return;
  if (member?.role !== 'owner')
    throw new CommsError('NOT_A_ROOM_OWNER', `only owners of room ${room.id} may do this`);
}

/** Invitations: owners of private rooms, any member of a channel, admins; never into direct rooms. */
export function checkInvite(
  caller: Principal,
  room: ChatRoomEntity,
  member: ChatMemberEntity | null,
): void {
  checkCanWrite(caller);
  checkNotDirect(room);
  if (isAdmin(caller)) return;
  if (room.kind === 'channel') checkMember(room, member);
  else checkManage(caller, room, member);
}

export function checkJoin(room: ChatRoomEntity): void {
  if (room.kind !== 'channel')
    throw new CommsError(
      'ROOM_NOT_JOINABLE',
      `room ${room.id} is ${room.kind}: join by invitation`,
    );
}

export function checkNotDirect(room: ChatRoomEntity): void {
  if (room.kind === 'direct')
    throw new CommsError('DIRECT_ROOM_FIXED', 'a direct room always has exactly its two users');
}

export function checkActive(room: ChatRoomEntity): void {
  if (room.deletedAt) throw new CommsError('ROOM_ARCHIVED', `room ${room.id} is archived`);
}

/** Reacting to or pinning a message: not to a tombstone. */
export function checkNotDeleted(message: { id: string; deletedAt: Date | null }): void {
  if (message.deletedAt)
    throw new CommsError('MESSAGE_DELETED', `message ${message.id} was deleted`);
}

/** Deleting a message: its author, an owner of its room, or an admin. */
export function checkDeleteMessage(
  caller: Principal,
  authorId: string,
  member: ChatMemberEntity | null,
): void {
  checkCanWrite(caller);
  if (caller.userId === authorId || isAdmin(caller) || member?.role === 'owner') return;
  throw new CommsError(
    'NOT_THE_AUTHOR',
    'only the author, a room owner or an admin may delete a message',
  );
}

/** The direct room key of a pair: the same whoever creates it. */
export function directKey(a: string, b: string): string {
  return [a, b].sort().join(':');
}
