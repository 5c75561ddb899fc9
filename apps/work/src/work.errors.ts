import { DomainError, type ErrorKind } from '@nexus/core';

/** Every rule of the work service a caller can break, and nothing else. */
export type WorkErrorCode =
  | 'NOT_A_MEMBER'
  | 'PROJECT_ROLE_REQUIRED'
  | 'PROJECT_ARCHIVED'
  | 'OPEN_TASKS'
  | 'ALREADY_MEMBER'
  | 'MEMBER_NOT_FOUND'
  | 'LAST_OWNER'
  | 'ASSIGNEE_NOT_MEMBER'
  | 'PARENT_NOT_IN_PROJECT'
  | 'DEPENDENCY_CYCLE'
  | 'DEPENDENCY_EXISTS'
  | 'DEPENDENCY_NOT_FOUND'
  | 'OPEN_BLOCKERS'
  | 'TIME_ENTRY_NOT_FOUND'
  | 'DATES_OUT_OF_ORDER'
  | 'NOT_ARCHIVED'
  | 'NOT_COMMENT_AUTHOR'
  | 'MENTIONED_USER_CANNOT_READ'
  | 'TOO_MANY_MENTIONS';

export function workErrorKind(code: WorkErrorCode): ErrorKind {
  switch (code) {
    case 'NOT_A_MEMBER':
    case 'PROJECT_ROLE_REQUIRED':
    case 'NOT_COMMENT_AUTHOR':
      return 'permission_denied';
    case 'PROJECT_ARCHIVED':
    case 'OPEN_TASKS':
    case 'LAST_OWNER':
    case 'ASSIGNEE_NOT_MEMBER':
    case 'PARENT_NOT_IN_PROJECT':
    case 'DEPENDENCY_CYCLE':
    case 'OPEN_BLOCKERS':
    case 'NOT_ARCHIVED':
      return 'failed_precondition';
    case 'DATES_OUT_OF_ORDER':
    case 'MENTIONED_USER_CANNOT_READ':
    case 'TOO_MANY_MENTIONS':
      return 'invalid_argument';
    case 'ALREADY_MEMBER':
    case 'DEPENDENCY_EXISTS':
      return 'already_exists';
    case 'MEMBER_NOT_FOUND':
    case 'DEPENDENCY_NOT_FOUND':
    case 'TIME_ENTRY_NOT_FOUND':
      return 'not_found';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class WorkError extends DomainError<WorkErrorCode> {
  readonly domain = 'work.nexus';
  get kind(): ErrorKind {
    return workErrorKind(this.code);
  }
}
