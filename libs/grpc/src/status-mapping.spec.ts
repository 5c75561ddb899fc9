import { status, type ServiceError } from '@grpc/grpc-js';
import { KitError } from '@nexus/core';
import { clip, readStatusDetails, toServiceError } from './status-mapping';

describe('toServiceError', () => {
  it('maps a domain error to its status with ErrorInfo and field violations', () => {
    const thrown = KitError.invalid([
      { field: 'user.email', description: 'must be a valid email address' },
    ]);
    const { error, unexpected } = toServiceError(thrown, 'corr-1');
    expect(unexpected).toBe(false);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const details = readStatusDetails({ metadata: error.metadata! });
    expect(details.errorInfo).toMatchObject({ reason: 'INVALID_ARGUMENT', domain: 'nexus' });
    expect(details.badRequest?.fieldViolations).toEqual([
      { field: 'user.email', description: 'must be a valid email address', reason: '' },
    ]);
  });

  it('sends RetryInfo for an error that says when to retry, and none otherwise', () => {
    const throttled = new KitError(
      'PERMISSION_DENIED',
      'later',
      [],
      {},
      { retryDelaySeconds: 2.5 },
    );
    const details = readStatusDetails({ metadata: toServiceError(throttled, 'c').error.metadata! });
    expect(details.retryInfo).toEqual({ retryDelay: { seconds: '3', nanos: 0 } });
    const plain = toServiceError(new KitError('ETAG_MISMATCH', 'stale'), 'c').error;
    expect(readStatusDetails({ metadata: plain.metadata! }).retryInfo).toBeUndefined();
  });

  it('maps an etag mismatch to ABORTED', () => {
    expect(toServiceError(new KitError('ETAG_MISMATCH', 'stale'), 'c').error.code).toBe(
      status.ABORTED,
    );
  });

  it("maps what the classifier reads a lower layer's failure as, with its details", () => {
    const lower = new Error('connection reset');
    const classify = (thrown: unknown) =>
      thrown === lower
        ? new KitError('DATABASE_UNAVAILABLE', 'the database is unavailable')
        : undefined;
    const { error, unexpected } = toServiceError(lower, 'c', classify);
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(unexpected).toBe(false);
    expect(readStatusDetails(error as ServiceError).errorInfo?.reason).toBe('DATABASE_UNAVAILABLE');
    expect(toServiceError(new Error('other'), 'c', classify).error.code).toBe(status.INTERNAL);
  });

  it('hides anything unexpected behind INTERNAL with the correlation id', () => {
    const { error, unexpected } = toServiceError(new TypeError('secret internals'), 'corr-9');
    expect(unexpected).toBe(true);
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('internal error (correlation id corr-9)');
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text at a whole character within the byte budget', () => {
    expect(clip('short', 10)).toBe('short');
    const cut = clip('😀'.repeat(10), 13);
    expect(cut).toBe('😀😀…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(13);
  });
});
