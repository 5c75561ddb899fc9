// Domain primitives shared by every service: ids, errors, principals, validation.
export { DomainError, type ErrorKind, type FieldViolation } from './domain-error';
export { KitError, kitErrorKind, type KitErrorCode } from './kit-error';
export { ROLES, canWrite, isAdmin, type Principal, type Role } from './principal';
export { isUuid, uuidv7 } from './uuid-v7';
export { toCamelCase, toSnakeCase, validate } from './validation';
