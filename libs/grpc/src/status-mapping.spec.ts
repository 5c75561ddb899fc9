import { status } from '@grpc/grpc-js';
import { QueryFailedError } from 'typeorm';
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

  it('maps an etag mismatch to ABORTED', () => {
    expect(toServiceError(new KitError('ETAG_MISMATCH', 'stale'), 'c').error.code).toBe(
      status.ABORTED,
    );
  });

  it('maps an unreachable database to UNAVAILABLE', () => {
    const refused = new QueryFailedError(
      'SELECT 1',
      [],
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(toServiceError(refused, 'c').error.code).toBe(status.UNAVAILABLE);
  });

  it('hides anything unexpected behind INTERNAL with the correlation id', () => {
    const { error, unexpected } = toServiceError(new TypeError('secret internals'), 'corr-9');
    expect(unexpected).toBe(true);
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('internal error (correlation id corr-9)');
  });
});

describe('toServiceError on a lost race', () => {
  it('maps a deadlock that outlived its retries to ABORTED', () => {
    const deadlock = new QueryFailedError(
      'UPDATE',
      [],
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
    );
    const { error, unexpected } = toServiceError(deadlock, 'c');
    expect(error.code).toBe(status.ABORTED);
    expect(unexpected).toBe(false);
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
