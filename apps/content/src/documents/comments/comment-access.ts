import type { Principal } from '@nexus/core';
import { ContentError } from '../../content.errors';
import { accessOf, checkWriter, type DocumentAccess } from '../document-access';
import type { DocumentEntity } from '../document.entity';
import { shareRoleOf } from '../document.service';
import type { CommentEntity } from './comment.entity';

/**
 * Who may do what with the comments of a document. Every reader of the
 * document reads them; commenters, editors, the owner and admins write them
 * (a viewer may not: PERMISSION_DENIED); for anyone else the document, and
 * so its comments, does not exist (NOT_FOUND).
 */
export interface CommentRights {
  access: DocumentAccess;
  canComment: boolean;
}

export function commentRightsOf(caller: Principal, document: DocumentEntity): CommentRights {
  const role = shareRoleOf(document, caller);
  const access = accessOf(caller, document, role);
  return { access, canComment: access === 'manage' || access === 'edit' || role === 'commenter' };
}

/** Writing comments: not a guest, at least a commenter, on a document not in the trash. */
export function checkComment(caller: Principal, document: DocumentEntity, rights: CommentRights) {
  checkWriter(caller);
  if (!rights.canComment) {
    throw new ContentError(
      'NOT_COMMENTER',
      'viewers read comments; commenters, editors, the owner and admins write them',
    );
  }
  if (document.deletedAt) {
    throw new ContentError('DOCUMENT_IN_TRASH', `document ${document.id} is in the trash`);
  }
}

/** Editing one's comment: its author, who may still comment. */
export function checkAuthor(caller: Principal, comment: CommentEntity): void {
  if (comment.authorId !== caller.userId) {
    throw new ContentError('NOT_COMMENT_AUTHOR', 'only its author changes a comment');
  }
}

/** Deleting: its author (still a commenter), or the document's owner or an admin. */
export function checkDelete(
  caller: Principal,
  document: DocumentEntity,
  rights: CommentRights,
  comment: CommentEntity,
): void {
  if (rights.access === 'manage') return checkWriter(caller);
  checkComment(caller, document, rights);
  checkAuthor(caller, comment);
}
