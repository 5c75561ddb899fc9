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
  | 'FILE_TOO_LARGE'
  | 'UPLOAD_MISMATCH'
  | 'UPLOAD_INCOMPLETE'
  | 'BLOB_MISSING';

export function contentErrorKind(code: ContentErrorCode): ErrorKind {
  switch (code) {
    case 'GUEST_READ_ONLY':
    case 'NOT_OWNER':
    case 'NOT_EDITOR':
    case 'NO_ACCESS':
      return 'permission_denied';
    case 'SHARE_WITH_OWNER':
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
      return 'failed_precondition';
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
