import { KitError } from '@nexus/core';
import { etagOf, type BaseEntity } from './base.entity';

/**
 * The one answer to a write that names a version which is no longer the
 * current one: ABORTED, with the current etag so the caller can read again.
 */
export function etagMismatch(
  current: BaseEntity,
  etag: string,
  resourceName = 'resource',
): KitError {
  return new KitError(
    'ETAG_MISMATCH',
    `etag ${etag} does not match the current version; read the ${resourceName} again and retry`,
    [],
    { current_etag: etagOf(current) },
  );
}

/** Refuses a stale etag; an empty or absent one skips the check (AIP-154). */
export function checkEtag(
  entity: BaseEntity,
  etag: string | undefined,
  resourceName?: string,
): void {
  if (etag && etag !== etagOf(entity)) throw etagMismatch(entity, etag, resourceName);
}
