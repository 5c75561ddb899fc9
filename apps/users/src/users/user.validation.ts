import { z } from 'zod';
import { jsonObject, type Role } from '@nexus/core';
import { etag, idSchema, pageSizeSchema, pageTokenSchema, requestId, uuid } from '@nexus/grpc';
import { commonV1, usersV1 } from '@nexus/proto';

/** Request schemas: what each RPC accepts, with the messages callers see per field. */

const ROLE_OF_PROTO: Partial<Record<commonV1.Role, Role>> = {
  [commonV1.Role.ROLE_ADMIN]: 'admin',
  [commonV1.Role.ROLE_MANAGER]: 'manager',
  [commonV1.Role.ROLE_USER]: 'user',
  [commonV1.Role.ROLE_GUEST]: 'guest',
};

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));
const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{3,32}$/, 'must be 3 to 32 letters, digits, ".", "_" or "-"');
const fullName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256, 'must be at most 256 characters');
/** A role a caller names: one of the four; UNSPECIFIED only where a default applies. */
const role = z.number().transform((value, ctx) => {
  const named = ROLE_OF_PROTO[value as commonV1.Role];
  if (!named)
    ctx.addIssue({
      code: 'custom',
      message: 'must be ROLE_ADMIN, ROLE_MANAGER, ROLE_USER or ROLE_GUEST',
    });
  return named as Role;
});
const preferences = jsonObject({ maxBytes: 16_384 });
const required = { error: 'is required' };

export const createUserSchema = z.object({
  user: z.object(
    {
      email,
      username,
      fullName,
      role: z
        .number()
        .transform((value) => (value === 0 ? commonV1.Role.ROLE_USER : value))
        .pipe(role),
      preferences: preferences.optional().transform((value) => value ?? {}),
    },
    required,
  ),
  password,
  requestId,
});

/** Per updatable field, keyed by the update_mask path. */
const updatableFields = {
  email: z.object({ email }),
  username: z.object({ username }),
  full_name: z.object({ fullName }),
  preferences: z.object({ preferences: preferences.optional().transform((value) => value ?? {}) }),
  role: z.object({ role }),
  is_active: z.object({ isActive: z.boolean() }),
};

export type UserChanges = Partial<{
  email: string;
  username: string;
  fullName: string;
  preferences: Record<string, unknown>;
  role: Role;
  isActive: boolean;
}>;

type UpdateUserInput = { user: { id: string; etag: string } & UserChanges };

/**
 * One schema per mask, in the mask's order (at most the ordered subsets of six
 * fields): zod compiles a schema on its first parse, so building one per call
 * compiled one per call.
 */
const updateSchemas = new Map<string, z.ZodType<UpdateUserInput>>();

/** The named fields of `user`, validated; other fields of the message are ignored as AIP-134 says. */
export function updateUserSchema(
  paths: ReadonlySet<keyof typeof updatableFields>,
): z.ZodType<UpdateUserInput> {
  const key = [...paths].join(',');
  let schema = updateSchemas.get(key);
  if (!schema) {
    const fields = [...paths].reduce<z.ZodObject>(
      (built, path) => built.extend(updatableFields[path].shape),
      z.object({ id: uuid, etag }),
    );
    // Built per mask, so the static type is asserted: fields outside the mask stay unset.
    schema = z.object({ user: fields }, required) as unknown as z.ZodType<UpdateUserInput>;
    updateSchemas.set(key, schema);
  }
  return schema;
}

export { idSchema };

export const batchGetSchema = z.object({
  ids: z.array(uuid).min(1, 'must name at least one id').max(1000, 'must name at most 1000 ids'),
});

export const listUsersSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  role: role.optional(),
  isActive: z.boolean().optional(),
  emailVerified: z.boolean().optional(),
  namePrefix: z.string().trim().toLowerCase().max(200, 'must be at most 200 characters'),
  emailPrefix: z.string().trim().toLowerCase().max(254, 'must be at most 254 characters'),
  orderBy: z
    .enum(usersV1.UserOrderBy, 'must be a UserOrderBy value')
    .refine((value) => value !== usersV1.UserOrderBy.UNRECOGNIZED, 'must be a UserOrderBy value'),
  includeTotalSize: z.boolean(),
});

export const deleteUserSchema = z.object({ id: uuid, etag, hard: z.boolean() });

export const changePasswordSchema = z.object({
  id: uuid,
  oldPassword: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
  newPassword: password,
});

export const verifyEmailSchema = z.object({
  token: z.string().min(1, 'is required').max(128, 'is not a verification token'),
});

export const authenticateSchema = z.object({
  login: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, 'is required')
    .max(254, 'must be at most 254 characters'),
  password: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
  client: z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .optional()
    .transform((client) => client ?? ''),
});
