import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, type ErrorKind } from '@nexus/core';
import { googleRpc } from '@nexus/proto';

/** The one mapping from error kinds to gRPC status codes. */
export function statusOfKind(kind: ErrorKind): status {
  switch (kind) {
    case 'invalid_argument':
      return status.INVALID_ARGUMENT;
    case 'not_found':
      return status.NOT_FOUND;
    case 'already_exists':
      return status.ALREADY_EXISTS;
    case 'failed_precondition':
      return status.FAILED_PRECONDITION;
    case 'aborted':
      return status.ABORTED;
    case 'unauthenticated':
      return status.UNAUTHENTICATED;
    case 'permission_denied':
      return status.PERMISSION_DENIED;
    case 'resource_exhausted':
      return status.RESOURCE_EXHAUSTED;
    case 'unavailable':
      return status.UNAVAILABLE;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

const TYPE_URL_PREFIX = 'type.googleapis.com/google.rpc.';

/**
 * Bounds on what an error sends back. The status travels in HTTP/2 trailers,
 * and validation messages echo the caller's input (a 200-entry field mask, a
 * 250 kB string): unbounded trailers overrun the peer's header limits and
 * leave the call, and the connection it shares, hanging.
 */
export const ERROR_LIMITS = {
  messageBytes: 512,
  violations: 8,
  fieldBytes: 100,
  descriptionBytes: 200,
  metadataValueBytes: 200,
} as const;

/** `text` cut to at most `maxBytes` of UTF-8, whole characters only, marked with an ellipsis. */
export function clip(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength('…');
  let kept = '';
  let bytes = 0;
  for (const character of text) {
    bytes += Buffer.byteLength(character);
    if (bytes > budget) break;
    kept += character;
  }
  return `${kept}…`;
}

function boundedViolations(error: DomainError): googleRpc.BadRequest_FieldViolation[] {
  const violations = error.violations.slice(0, ERROR_LIMITS.violations).map((v) => ({
    field: clip(v.field, ERROR_LIMITS.fieldBytes),
    description: clip(v.description, ERROR_LIMITS.descriptionBytes),
    reason: v.reason ?? '',
  }));
  const more = error.violations.length - violations.length;
  if (more > 0)
    violations.push({ field: 'request', description: `and ${more} more`, reason: 'TRUNCATED' });
  return violations;
}

function packAny(typeName: string, value: Uint8Array): googleRpc.Any {
  return { typeUrl: `${TYPE_URL_PREFIX}${typeName}`, value: Buffer.from(value) };
}

/**
 * google.rpc.Status with ErrorInfo and, for bad input, BadRequest, and when
 * the caller may retry later, RetryInfo, as grpc-status-details-bin.
 */
function statusDetails(code: status, error: DomainError): Buffer {
  const details = [
    packAny(
      'ErrorInfo',
      googleRpc.ErrorInfo.encode({
        reason: error.code,
        domain: error.domain,
        metadata: Object.fromEntries(
          Object.entries(error.metadata).map(([key, value]) => [
            key,
            clip(value, ERROR_LIMITS.metadataValueBytes),
          ]),
        ),
      }).finish(),
    ),
  ];
  if (error.violations.length > 0) {
    const badRequest = googleRpc.BadRequest.encode({
      fieldViolations: boundedViolations(error),
    }).finish();
    details.push(packAny('BadRequest', badRequest));
  }
  if (error.retryDelaySeconds !== undefined) {
    const retryDelay = { seconds: String(Math.ceil(error.retryDelaySeconds)), nanos: 0 };
    details.push(packAny('RetryInfo', googleRpc.RetryInfo.encode({ retryDelay }).finish()));
  }
  const message = clip(error.message, ERROR_LIMITS.messageBytes);
  return Buffer.from(googleRpc.Status.encode({ code, message, details }).finish());
}

export interface MappedError {
  error: Partial<ServiceError>;
  /** Unexpected errors are bugs: log them in full under the correlation id. */
  unexpected: boolean;
}

/** Reads a failure of a lower layer (the database) as the domain error it means, if it means one. */
export type ErrorClassifier = (thrown: unknown) => DomainError | undefined;

/**
 * Turns anything a handler threw into the status the caller sees. Domain
 * errors, and what `classify` reads as one (an unreachable database is
 * UNAVAILABLE), keep their message and details; anything else is INTERNAL
 * with a generic message.
 */
export function toServiceError(
  thrown: unknown,
  correlationId: string,
  classify: ErrorClassifier = () => undefined,
): MappedError {
  const metadata = new Metadata();
  metadata.set('x-request-id', correlationId);
  const known = isDomainError(thrown) ? thrown : classify(thrown);
  if (known) {
    const code = statusOfKind(known.kind);
    metadata.set('grpc-status-details-bin', statusDetails(code, known));
    const details = clip(known.message, ERROR_LIMITS.messageBytes);
    return { error: { code, details, metadata }, unexpected: false };
  }
  return {
    error: {
      code: status.INTERNAL,
      details: `internal error (correlation id ${correlationId})`,
      metadata,
    },
    unexpected: true,
  };
}

/** `instanceof` alone narrows to DomainError<any>; the guard keeps the code a string. */
function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export interface StatusDetails {
  errorInfo?: googleRpc.ErrorInfo;
  badRequest?: googleRpc.BadRequest;
  retryInfo?: googleRpc.RetryInfo;
}

/** Reads the google.rpc.Status details of an error a client received. */
export function readStatusDetails(error: Pick<ServiceError, 'metadata'>): StatusDetails {
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  if (!raw || typeof raw === 'string') return {};
  const decoded = googleRpc.Status.decode(raw);
  const result: StatusDetails = {};
  for (const detail of decoded.details) {
    if (detail.typeUrl.endsWith('.ErrorInfo'))
      result.errorInfo = googleRpc.ErrorInfo.decode(detail.value);
    if (detail.typeUrl.endsWith('.BadRequest'))
      result.badRequest = googleRpc.BadRequest.decode(detail.value);
    if (detail.typeUrl.endsWith('.RetryInfo'))
      result.retryInfo = googleRpc.RetryInfo.decode(detail.value);
  }
  return result;
}
