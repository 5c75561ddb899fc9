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
  | 'ROOM_ARCHIVED'
  | 'PIN_LIMIT_REACHED'
  | 'MENTIONED_USER_CANNOT_READ'
  | 'TOO_MANY_MENTIONS'
  | 'ROOM_MENTION_TOO_LARGE'
  | 'REACTION_LIMIT_REACHED'
  | 'ROLE_MAILBOX_FIXED'
  | 'MAILBOX_HAS_CHILD'
  | 'MAILBOX_HAS_EMAIL'
  | 'MAILBOX_CYCLE'
  | 'MAILBOX_TOO_DEEP'
  | 'MAILBOX_NAME_TAKEN'
  | 'TOO_MANY_MAILBOXES'
  | 'TRASH_IS_EXCLUSIVE'
  | 'LAST_MAILBOX';

export function commsErrorKind(code: CommsErrorCode): ErrorKind {
  switch (code) {
    case 'NO_RECIPIENTS':
    case 'UNKNOWN_ATTACHMENT':
    case 'MENTIONED_USER_CANNOT_READ':
    case 'TOO_MANY_MENTIONS':
    case 'ROOM_MENTION_TOO_LARGE':
    case 'MAILBOX_CYCLE':
    case 'MAILBOX_TOO_DEEP':
    case 'TRASH_IS_EXCLUSIVE':
      return 'invalid_argument';
    case 'MAILBOX_NAME_TAKEN':
      return 'already_exists';
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
    case 'PIN_LIMIT_REACHED':
    case 'REACTION_LIMIT_REACHED':
    case 'ROLE_MAILBOX_FIXED':
    case 'MAILBOX_HAS_CHILD':
    case 'MAILBOX_HAS_EMAIL':
    case 'TOO_MANY_MAILBOXES':
    case 'LAST_MAILBOX':
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
