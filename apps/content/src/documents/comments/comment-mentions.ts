import type { UserDirectory } from '@nexus/clients';
import { MAX_MENTIONS, findMentions, type MentionRecord, type Principal } from '@nexus/core';
import { ContentError } from '../../content.errors';
import type { DocumentEntity } from '../document.entity';
import type { CommentEntity } from './comment.entity';

const TEXT_FIELD = 'comment.text';

/**
 * The users a comment's text mentions that it did not mention before (an
 * edit notifies only the newly mentioned), checked: each exists and is
 * active (the users service), and can read the document (its owner or
 * someone it is shared with). Mentioning anyone else is refused
 * (INVALID_ARGUMENT MENTIONED_USER_CANNOT_READ on `comment.text`) rather
 * than skipped: the author learns that the person will not see the comment
 * and can share the document first. `<!room>` mentions everyone the document
 * is shared with and its owner. The author is never notified of their own mention.
 */
export async function newMentions(
  directory: UserDirectory,
  caller: Principal,
  document: DocumentEntity,
  text: string,
  previousText: string,
  deadline: Date | undefined,
): Promise<string[]> {
  const { userIds, everyone } = findMentions(text);
  if (userIds.length > MAX_MENTIONS) {
    throw new ContentError(
      'TOO_MANY_MENTIONS',
      `a comment mentions at most ${MAX_MENTIONS} users`,
      [
        {
          field: TEXT_FIELD,
          description: `mentions more than ${MAX_MENTIONS} users`,
          reason: 'TOO_MANY_MENTIONS',
        },
      ],
    );
  }
  const before = findMentions(previousText);
  const readers = [document.ownerId, ...(document.shares ?? []).map((share) => share.userId)];
  const fresh = userIds.filter((id) => !before.userIds.includes(id));
  const cannotRead = fresh.filter((id) => !readers.includes(id));
  if (cannotRead.length > 0) {
    throw new ContentError(
      'MENTIONED_USER_CANNOT_READ',
      'a mentioned user cannot read the document; share it with them first',
      cannotRead.map((id) => ({
        field: TEXT_FIELD,
        description: `user ${id} cannot read the document`,
        reason: 'MENTIONED_USER_CANNOT_READ',
      })),
    );
  }
  await directory.requireActive(
    caller,
    fresh.map((id) => ({ id, field: TEXT_FIELD })),
    deadline,
  );
  const everyoneNow = everyone && !before.everyone ? readers : [];
  return [...new Set([...fresh, ...everyoneNow])].filter((id) => id !== caller.userId);
}

/** The `mentioned` events' resources: who, which comment, which document; never the text. */
export function mentionRecords(
  comment: CommentEntity,
  userIds: readonly string[],
): MentionRecord[] {
  return userIds.map((userId) => ({
    userId,
    resourceType: 'document-comment',
    resourceId: comment.id,
    parentId: comment.documentId,
    actorId: comment.authorId,
    createTime: comment.updatedAt.toISOString(),
  }));
}
