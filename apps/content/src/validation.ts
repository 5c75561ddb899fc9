import { z } from 'zod';
import { isUuid } from '@nexus/core';

/** Field schemas both aggregates use. */

export const uuid = z.string().refine(isUuid, 'must be a UUID');
export const optionalUuid = z.union([z.literal(''), uuid]).transform((value) => value || undefined);
export const requestId = optionalUuid;
export const etag = z.string().max(64, 'must be at most 64 characters');
export const required = { error: 'is required' };
export const note = z.string().trim().max(500, 'must be at most 500 characters');

/** Turns a proto enum number into a name, refusing UNSPECIFIED and unknown values. */
export function protoEnum<T extends string>(names: Partial<Record<number, T>>, expected: string) {
  return z.number().transform((value, ctx) => {
    const name = names[value];
    if (!name) ctx.addIssue({ code: 'custom', message: `must be ${expected}` });
    return name as T;
  });
}
