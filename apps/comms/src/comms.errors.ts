import { DomainError, type ErrorKind } from '@nexus/core';

/** Every rule of the comms service a caller can break, and nothing else. */
export type CommsErrorCode =
  | 'NOT_A_DRAFT'
  | 'NO_RECIPIENTS'
  | 'UNKNOWN_ATTACHMENT'
  | 'ATTACHMENT_NOT_ALLOWED'
  | 'NOT_IN_TRASH'
  | 'ALREADY_IN_TRASH'
  | 'NOT_A_MEMBER'
  | 'NOT_A_ROOM_OWNER'
  | 'ROOM_NOT_JOINABLE'
  | 'DIRECT_ROOM_FIXED'
  | 'NOT_THE_AUTHOR'
  | 'MESSAGE_DELETED'
  | 'ROOM_ARCHIVED';

export function commsErrorKind(code: CommsErrorCode): ErrorKind {
  switch (code) {
    case 'NO_RECIPIENTS':
    case 'UNKNOWN_ATTACHMENT':
      return 'invalid_argument';
    case 'NOT_A_MEMBER':
    case 'NOT_A_ROOM_OWNER':
    case 'NOT_THE_AUTHOR':
    case 'ATTACHMENT_NOT_ALLOWED':
      return 'permission_denied';
    case 'NOT_A_DRAFT':
    case 'NOT_IN_TRASH':
    case 'ALREADY_IN_TRASH':
    case 'ROOM_NOT_JOINABLE':
    case 'DIRECT_ROOM_FIXED':
    case 'MESSAGE_DELETED':
    case 'ROOM_ARCHIVED':
      return 'failed_precondition';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class CommsError extends DomainError<CommsErrorCode> {
  readonly domain = 'comms.nexus';
  get kind(): ErrorKind {
    return commsErrorKind(this.code);
  }
}
