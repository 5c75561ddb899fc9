import { DomainError, type ErrorKind } from '@nexus/core';

/** Every rule of the content service a caller can break, and nothing else. */
export type ContentErrorCode =
  | 'GUEST_READ_ONLY'
  | 'NOT_OWNER'
  | 'NOT_EDITOR'
  | 'NO_ACCESS'
  | 'SHARE_WITH_OWNER'
  | 'SHARE_EXISTS'
  | 'SHARE_NOT_FOUND'
  | 'TOO_MANY_SHARES'
  | 'VERSION_NOT_FOUND'
  | 'NOT_COMMENTER'
  | 'NOT_COMMENT_AUTHOR'
  | 'MENTIONED_USER_CANNOT_READ'
  | 'TOO_MANY_MENTIONS'
  | 'DOCUMENT_IN_TRASH'
  | 'NOT_A_THREAD'
  | 'FILE_TOO_LARGE'
  | 'UPLOAD_MISMATCH'
  | 'UPLOAD_INCOMPLETE'
  | 'BLOB_MISSING'
  | 'FOLDER_CYCLE'
  | 'FOLDER_OWNER_MISMATCH'
  | 'FOLDER_NOT_EMPTY'
  | 'FILE_IN_TRASH'
  | 'LINK_EXPIRED'
  | 'DOWNLOAD_LIMIT_REACHED'
  | 'LINK_PASSWORD_REQUIRED'
  | 'LINK_PASSWORD_MISMATCH'
  | 'LINK_PASSWORD_THROTTLED'
  | 'TOO_MANY_LINKS';

export function contentErrorKind(code: ContentErrorCode): ErrorKind {
  switch (code) {
    case 'GUEST_READ_ONLY':
    case 'NOT_OWNER':
    case 'NOT_EDITOR':
    case 'NO_ACCESS':
    case 'NOT_COMMENTER':
    case 'NOT_COMMENT_AUTHOR':
    case 'LINK_PASSWORD_REQUIRED':
    case 'LINK_PASSWORD_MISMATCH':
      return 'permission_denied';
    case 'SHARE_WITH_OWNER':
    case 'MENTIONED_USER_CANNOT_READ':
    case 'TOO_MANY_MENTIONS':
    case 'FILE_TOO_LARGE':
    case 'UPLOAD_MISMATCH':
    case 'UPLOAD_INCOMPLETE':
      return 'invalid_argument';
    case 'SHARE_EXISTS':
      return 'already_exists';
    case 'SHARE_NOT_FOUND':
    case 'VERSION_NOT_FOUND':
      return 'not_found';
    case 'TOO_MANY_SHARES':
    case 'DOCUMENT_IN_TRASH':
    case 'NOT_A_THREAD':
    case 'FOLDER_CYCLE':
    case 'FOLDER_OWNER_MISMATCH':
    case 'FOLDER_NOT_EMPTY':
    case 'FILE_IN_TRASH':
    case 'LINK_EXPIRED':
    case 'DOWNLOAD_LIMIT_REACHED':
    case 'TOO_MANY_LINKS':
      return 'failed_precondition';
    case 'LINK_PASSWORD_THROTTLED':
      return 'resource_exhausted';
    case 'BLOB_MISSING':
      return 'unavailable';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class ContentError extends DomainError<ContentErrorCode> {
  readonly domain = 'content.nexus';
  get kind(): ErrorKind {
    return contentErrorKind(this.code);
  }
}
