import { z } from 'zod';

/** Field schemas both aggregates use, beyond the kit's (ids, etags, request ids). */

export { etag, optionalUuid, requestId, required, uuid } from '@nexus/grpc';
export const note = z.string().trim().max(500, 'must be at most 500 characters');

/** Turns a proto enum number into a name, refusing UNSPECIFIED and unknown values. */
export function protoEnum<T extends string>(names: Partial<Record<number, T>>, expected: string) {
  return z.number().transform((value, ctx) => {
    const name = names[value];
    if (!name) ctx.addIssue({ code: 'custom', message: `must be ${expected}` });
    return name as T;
  });
}
