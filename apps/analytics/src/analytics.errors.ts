import { DomainError, type ErrorKind } from '@nexus/core';

/** What can go wrong for a caller of the analytics HTTP API, and nothing else. */
export type AnalyticsErrorCode = 'INVALID_RANGE' | 'INVALID_GROUPING';

export function analyticsErrorKind(code: AnalyticsErrorCode): ErrorKind {
  switch (code) {
    case 'INVALID_RANGE':
    case 'INVALID_GROUPING':
      return 'invalid_argument';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class AnalyticsError extends DomainError<AnalyticsErrorCode> {
  readonly domain = 'analytics.nexus';
  get kind(): ErrorKind {
    return analyticsErrorKind(this.code);
  }
}
