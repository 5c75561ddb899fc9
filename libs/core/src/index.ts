// Domain primitives shared by every service: ids, errors, principals, validation.
export { DomainError, type ErrorKind, type FieldViolation } from './domain-error';
export { requestFingerprint, type IdempotencyKey } from './idempotency-key';
export { KitError, kitErrorKind, type KitErrorCode } from './kit-error';
export { ROLES, canWrite, isAdmin, type Principal, type Role } from './principal';
export { isUuid, uuidv7 } from './uuid-v7';
export { toCamelCase, toSnakeCase, validate } from './validation';
export {
  JSON_MAX_DEPTH,
  jsonKeySegment,
  jsonObject,
  jsonProblems,
  unstorableText,
  type JsonProblem,
} from './json-value';
export {
  MAX_TIMESTAMP_SECONDS,
  MIN_TIMESTAMP_SECONDS,
  calendarDate,
  isCalendarDate,
  timestamp,
  timestampProblem,
} from './time-values';
export {
  decimal,
  formatDecimal,
  normalizeDecimal,
  parseDecimal,
  sumDecimals,
  type DecimalRules,
  type NumericColumn,
} from './decimal';
export {
  MAX_SEARCH_QUERY_LENGTH,
  MAX_SEARCH_TERMS,
  MIN_PREFIX_LENGTH,
  isSearchQueryProblem,
  parseSearchQuery,
  type SearchQuery,
  type SearchQueryProblem,
  type SearchTerm,
} from './search-query';
export {
  EVERYONE_MENTION,
  MAX_MENTIONS,
  findMentions,
  type MentionRecord,
  type Mentions,
} from './mentions';
export {
  closedForSeconds,
  retryAfterSeconds,
  type BackoffPolicy,
  type ThrottleCount,
  type ThrottleLimits,
} from './backoff';
