import { DomainError, type ErrorKind } from '@nexus/core';

/** Every rule of the ai-usage service a caller can break, and nothing else. */
export type AiUsageErrorCode = 'NOT_YOURSELF' | 'BUDGET_EXISTS' | 'PRICE_EXISTS' | 'USER_ERASED';

export function aiUsageErrorKind(code: AiUsageErrorCode): ErrorKind {
  switch (code) {
    case 'NOT_YOURSELF':
      return 'permission_denied';
    case 'BUDGET_EXISTS':
    case 'PRICE_EXISTS':
      return 'already_exists';
    case 'USER_ERASED':
      return 'failed_precondition';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class AiUsageError extends DomainError<AiUsageErrorCode> {
  readonly domain = 'ai-usage.nexus';
  get kind(): ErrorKind {
    return aiUsageErrorKind(this.code);
  }
}
