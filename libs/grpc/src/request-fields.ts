import { z } from 'zod';
import { isSearchQueryProblem, isUuid, parseSearchQuery, type SearchQuery } from '@nexus/core';

/**
 * The pieces every request schema is made of, one definition each: ids,
 * etags, request ids and pages mean the same in every service.
 */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A proto field the request must set: zod's message for a missing one. */
export const required = { error: 'is required' };

export const uuid = z.string().refine(isUuid, 'must be a UUID');

/** An id that may be left empty: "" reads as not given. */
export const optionalUuid = z.union([z.literal(''), uuid]).transform((value) => value || undefined);

/** A create's `request_id` (AIP-155): a UUID, or "" for none. */
export const requestId = optionalUuid;

/** The etag a write is conditional on; "" writes unconditionally. */
export const etag = z.string().max(64, 'is not an etag');

export const idSchema = z.object({ id: uuid });

/** AIP-158: 0 means the default, larger than the maximum is coerced down, negative is an error. */
export const pageSizeSchema = z
  .number()
  .int()
  .min(0, 'must not be negative')
  .transform((size) => (size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE)));

export const pageTokenSchema = z.string().max(2048, 'is too long');

/**
 * A Watch's `cursor`: "" watches from now; anything else is checked by the
 * live streams (INVALID_CURSOR) once it is known to be short enough to read.
 */
export const watchCursor = z.string().max(256, 'is too long');

/**
 * A `Search…` RPC's `query` (core's search syntax: words, "phrases",
 * -exclusions, OR, the last word as a prefix), parsed; a query with nothing
 * to search for, too long or with too many terms is refused with its reason.
 */
export const searchQuerySchema = z.string().transform((text, ctx): SearchQuery => {
  const parsed = parseSearchQuery(text);
  if (isSearchQueryProblem(parsed)) {
    ctx.addIssue({
      code: 'custom',
      message: parsed.description,
      params: { reason: parsed.reason },
    });
    return z.NEVER;
  }
  return parsed;
});
