import type { ServiceDefinition } from '@grpc/grpc-js';
import { KitError, toSnakeCase, type FieldViolation } from '@nexus/core';

/** Stands in for a request whose bytes are not the message the method takes. */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/**
 * The service definition with decoding made total: bytes that do not decode
 * become an UndecodableRequest for the handler wrapper to refuse with
 * INVALID_ARGUMENT. grpc-js would otherwise answer INTERNAL, which the
 * platform reserves for its own bugs.
 */
export function tolerantDefinition(definition: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes);
          } catch (error) {
            return new UndecodableRequest(error instanceof Error ? error.message : String(error));
          }
        },
      },
    ]),
  );
}

/**
 * Refuses what no handler should see: undecodable bytes, and NUL characters
 * in strings (valid protobuf, but PostgreSQL text cannot hold them).
 */
export function checkRequest(request: unknown): void {
  if (request instanceof UndecodableRequest) {
    throw KitError.invalid([
      {
        field: 'request',
        description: `is not a valid message for this method (${request.reason})`,
        reason: 'UNDECODABLE',
      },
    ]);
  }
  const violations: FieldViolation[] = [];
  findNulStrings(request, '', violations);
  if (violations.length > 0) throw KitError.invalid(violations);
}

function findNulStrings(value: unknown, path: string, violations: FieldViolation[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      violations.push({
        field: path || 'request',
        description: 'must not contain NUL characters',
        reason: 'NUL_CHARACTER',
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => findNulStrings(item, `${path}[${index}]`, violations));
  } else if (
    value &&
    typeof value === 'object' &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value)
  ) {
    for (const [key, item] of Object.entries(value)) {
      findNulStrings(item, path ? `${path}.${toSnakeCase(key)}` : toSnakeCase(key), violations);
    }
  }
}
