import { DomainError, type ErrorKind } from '@nexus/core';

/** Every rule of the users service a caller can break, and nothing else. */
export type UsersErrorCode =
  | 'EMAIL_TAKEN'
  | 'USERNAME_TAKEN'
  | 'SIGNUP_DISABLED'
  | 'ROLE_NOT_ALLOWED'
  | 'FIELD_NOT_ALLOWED'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_INACTIVE'
  | 'WRONG_PASSWORD'
  | 'INVALID_VERIFICATION_TOKEN'
  | 'ALREADY_VERIFIED'
  | 'NOT_YOURSELF'
  | 'INVALID_REFRESH_TOKEN'
  | 'REFRESH_TOKEN_REUSED'
  | 'NO_SESSION'
  /** Too many failed attempts for this login or from this source: ErrorInfo metadata retry_after_seconds says when to retry. */
  | 'SIGN_IN_THROTTLED'
  | 'INVALID_RESET_TOKEN';

export function usersErrorKind(code: UsersErrorCode): ErrorKind {
  switch (code) {
    case 'EMAIL_TAKEN':
    case 'USERNAME_TAKEN':
      return 'already_exists';
    case 'SIGNUP_DISABLED':
    case 'ROLE_NOT_ALLOWED':
    case 'FIELD_NOT_ALLOWED':
    case 'ACCOUNT_INACTIVE':
    case 'NOT_YOURSELF':
      return 'permission_denied';
    case 'INVALID_CREDENTIALS':
    case 'INVALID_REFRESH_TOKEN':
    case 'REFRESH_TOKEN_REUSED':
      return 'unauthenticated';
    case 'WRONG_PASSWORD':
    case 'INVALID_VERIFICATION_TOKEN':
    case 'INVALID_RESET_TOKEN':
      return 'invalid_argument';
    case 'SIGN_IN_THROTTLED':
      return 'resource_exhausted';
    case 'ALREADY_VERIFIED':
    case 'NO_SESSION':
      return 'failed_precondition';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class UsersError extends DomainError<UsersErrorCode> {
  readonly domain = 'users.nexus';
  get kind(): ErrorKind {
    return usersErrorKind(this.code);
  }
}
