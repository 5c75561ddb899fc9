import type { Tx } from '@nexus/db';
import type { PlatformEvent } from '@nexus/events';
import { removeGrants, removeGrantsOf } from './attachment-grant.store';

export const CHAT_ROOM_TOPIC = 'nexus.comms.chat-room';
const USER_DELETED = 'nexus.users.user.deleted';

/** Grants made to a room's members when a message with files was posted there. */
export const chatRoomVia = (roomId: string) => ({
  service: 'comms',
  resourceType: 'chat-room',
  resourceId: roomId,
});

/**
 * A member who leaves or is removed from a chat room loses the grants made
 * through that room (docs/content.md, "Attachment access"). The room's own
 * events are the authority: comms writes them in the transaction that
 * changes the membership, so every removal is seen, whoever made it. A
 * RevokeFileAccess by the remover could only take back the grants the
 * remover made (anything more would let any caller who names a room cut
 * its members off). Runs in the consumer's transaction, once per event; a
 * replay finds nothing left to remove. Grants through a mail stay.
 */
export class AttachmentGrantEvents {
  async handle(event: PlatformEvent, tx: Tx): Promise<void> {
    // A deleted user's grants go with them (their own files go by the files' foreign key).
    if (event.type === USER_DELETED) await removeGrantsOf(tx, event.subject);
    if (event.topic !== CHAT_ROOM_TOPIC) return;
    const before = memberIds(event.data.before);
    const after = memberIds(event.data.after);
    const gone = [...before].filter((userId) => !after.has(userId));
    if (gone.length === 0) return;
    await removeGrants(tx, { via: chatRoomVia(event.subject), userIds: gone });
  }
}

/** The member ids of a ChatRoom in proto3 JSON (none for a null resource). */
function memberIds(room: unknown): Set<string> {
  const members = (room as { members?: { userId?: unknown }[] } | null)?.members ?? [];
  return new Set(
    members.flatMap((member) => (typeof member.userId === 'string' ? [member.userId] : [])),
  );
}
