import type { ServiceDefinition } from '@grpc/grpc-js';
import { KitError, jsonKeySegment, toSnakeCase, type FieldViolation } from '@nexus/core';
import { timestampScanFor } from './timestamp-scan';

/** Stands in for a request whose bytes are not the message the method takes. */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/** Stands in for a request that decodes but whose wire form is invalid (a Timestamp's nanos). */
export class InvalidRequest {
  constructor(readonly violations: FieldViolation[]) {}
}

/**
 * The service definition with decoding made total: bytes that do not decode
 * become an UndecodableRequest for the handler wrapper to refuse with
 * INVALID_ARGUMENT. grpc-js would otherwise answer INTERNAL, which the
 * platform reserves for its own bugs. Every Timestamp is checked on the wire
 * too (see timestamp-scan.ts): decoding turns it into a Date, which hides
 * nanos out of range.
 */
export function tolerantDefinition(definition: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => {
      const scanTimestamps = timestampScanFor(method.path);
      return [
        name,
        {
          ...method,
          requestDeserialize: (bytes: Buffer): unknown => {
            // The scan reads the wire strictly: bytes the generated decoder
            // half-reads (it stops at a stray end-group tag) are refused too.
            try {
              const request: unknown = method.requestDeserialize(bytes);
              const violations = scanTimestamps?.(bytes) ?? [];
              return violations.length > 0 ? new InvalidRequest(violations) : request;
            } catch (error) {
              return new UndecodableRequest(error instanceof Error ? error.message : String(error));
            }
          },
        },
      ];
    }),
  );
}

/**
 * Refuses what no handler should see: undecodable bytes, Timestamps out of
 * range, and NUL characters in strings and in object keys (valid protobuf,
 * but PostgreSQL text and jsonb cannot hold them; a Struct's or a map's keys
 * are the caller's data as much as its values).
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
  if (request instanceof InvalidRequest) throw KitError.invalid(request.violations);
  // Every request is scanned, few hold a NUL: the field paths are built only
  // for one that does (building them for every field visited was most of the
  // guard's cost on a large batch).
  if (!hasNul(request)) return;
  const violations: FieldViolation[] = [];
  findNulStrings(request, '', violations);
  if (violations.length > 0) throw KitError.invalid(violations);
}

/** Whether findNulStrings would find anything: the same walk, without paths. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (!value || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value))
    return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNul(item)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key.includes('\u0000') || hasNul(record[key])) return true;
  }
  return false;
}

/** Every NUL in `value`, named by its snake_case field path. */
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
      if (key.includes('\u0000')) {
        violations.push({
          field: `${path || 'request'}${jsonKeySegment(key)}`,
          description: 'must not contain NUL characters (in a key)',
          reason: 'NUL_CHARACTER',
        });
        continue;
      }
      findNulStrings(item, path ? `${path}.${toSnakeCase(key)}` : toSnakeCase(key), violations);
    }
  }
}
