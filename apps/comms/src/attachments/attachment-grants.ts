import type { EntityManager } from 'typeorm';
import type { AttachmentVia } from '@nexus/clients';
import type { Principal } from '@nexus/core';
import { chatRoomVia, type AttachmentChecker } from './attachment-checker';

/**
 * Runs the write that sends a message after its recipients were granted its
 * files. The grant comes first, outside the transaction (no row lock is held
 * across a call to content): content down means the send fails UNAVAILABLE
 * with nothing written. If the write then fails, the grants this send made
 * are taken back, unless the message went out after all (`unsent` answers
 * false: a concurrent send of the same draft won, and its recipients keep
 * what they were granted). Grants are idempotent, so a retried send makes
 * each one once. A failure to take them back does not hide the write's own
 * error; the grants left then are to the recipients the sender chose.
 */
export async function writeAfterGrants<T>(
  attachments: AttachmentChecker,
  caller: Principal,
  granted: readonly string[],
  via: AttachmentVia,
  write: () => Promise<T>,
  unsent: () => Promise<boolean>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (granted.length > 0 && (await unsent().catch(() => false))) {
      await attachments.revoke(caller, { userIds: granted, via }).catch(() => undefined);
    }
    throw error;
  }
}

/**
 * Grants a message's files to the members of its room, read under the room's
 * row lock that the post holds: so exactly the members at the time of the
 * post get them, and a removal (which takes the same lock, and whose event
 * makes content drop the member's grants through the room) is wholly before
 * or after. The call to content is made under that lock, the one place
 * where it is: posts to the same room wait for it (bounded by the content
 * timeout), and content down fails the post UNAVAILABLE with the
 * transaction, and so nothing, written. Members who join later get the files
 * posted after they joined, as people added to a mail thread later do.
 */
export async function grantToRoomMembers(
  attachments: AttachmentChecker,
  manager: EntityManager,
  caller: Principal,
  post: { roomId: string; fileIds: readonly string[]; deadline?: Date },
): Promise<void> {
  if (post.fileIds.length === 0) return;
  const members = await manager.query<{ user_id: string }[]>(
    `SELECT "user_id" FROM "comms"."chat_members" WHERE "room_id" = $1`,
    [post.roomId],
  );
  await attachments.grant(
    caller,
    {
      fileIds: post.fileIds,
      userIds: members.map((member) => member.user_id).filter((id) => id !== caller.userId),
      via: chatRoomVia(post.roomId),
    },
    { field: 'attachment_ids', deadline: post.deadline },
  );
}
