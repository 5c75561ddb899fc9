import { z } from 'zod';
import { timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema, searchQuerySchema } from '@nexus/grpc';
import { contentV1 } from '@nexus/proto';
import type { ShareRole } from '../documents/document-share.entity';
import { etag, optionalUuid, protoEnum, requestId, required, uuid } from '../validation';

/** Request schemas: what each FileService RPC accepts, with the messages callers see per field. */

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine(
    (value) =>
      ![...value].some(
        (c) => c === '/' || c === '\\' || c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
      ),
    'must not contain / \\ or control characters',
  );
const mimeType = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/,
    'must be a MIME type such as application/pdf',
  );
const sha256 = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => value === '' || /^[0-9a-f]{64}$/.test(value), 'must be 64 hex digits');
const int64 = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer below 10^15')
  .transform(Number);

export function uploadMetadataSchema(maxBytes: number) {
  return z.object({
    metadata: z.object(
      {
        name,
        mimeType,
        isPublic: z.boolean(),
        sizeBytes: int64
          .refine((size) => size <= maxBytes, `must be at most ${maxBytes} (the maximum file size)`)
          .optional(),
        sha256: sha256.transform((value) => value || undefined),
        requestId,
        folderId: optionalUuid,
      },
      required,
    ),
  });
}
export type UploadMetadata = z.output<ReturnType<typeof uploadMetadataSchema>>['metadata'];

export const UPDATABLE = ['name', 'is_public', 'folder_id'] as const;
export type UpdatableField = (typeof UPDATABLE)[number];

export interface FileChanges {
  name?: string;
  isPublic?: boolean;
  /** '' moves the file to the root. */
  folderId?: string;
}

const updatableFields = {
  name: z.object({ name }),
  is_public: z.object({ isPublic: z.boolean() }),
  folder_id: z.object({ folderId: z.union([z.literal(''), uuid]) }),
};

/** The named fields of `file`, validated; other fields of the message are ignored (AIP-134). */
export function updateFileSchema(
  paths: ReadonlySet<UpdatableField>,
): z.ZodType<{ file: { id: string; etag: string } & FileChanges }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(updatableFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  // Built per mask, so the static type is asserted: fields outside the mask stay unset.
  return z.object({ file: z.object(fields.shape, required) }) as unknown as z.ZodType<{
    file: { id: string; etag: string } & FileChanges;
  }>;
}

export const fileIdSchema = z.object({ id: uuid });
export const deleteFileSchema = z.object({ id: uuid, etag });
export const batchGetFilesSchema = z.object({
  ids: z.array(uuid).min(1, 'must name at least one id').max(1000, 'must name at most 1000 ids'),
});

export const listFilesSchema = z
  .object({
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    ownerId: optionalUuid,
    mimeTypePrefix: z.string().trim().toLowerCase().max(255, 'must be at most 255 characters'),
    namePrefix: z.string().trim().toLowerCase().max(255, 'must be at most 255 characters'),
    minSizeBytes: int64.optional(),
    maxSizeBytes: int64.optional(),
    createTimeAfter: timestamp.optional(),
    createTimeBefore: timestamp.optional(),
    folderId: optionalUuid,
    showDeleted: z.boolean(),
    orderBy: z
      .enum(contentV1.FileOrderBy, 'must be a FileOrderBy value')
      .refine(
        (value) => value !== contentV1.FileOrderBy.UNRECOGNIZED,
        'must be a FileOrderBy value',
      ),
    includeTotalSize: z.boolean(),
  })
  .refine(
    (query) =>
      query.minSizeBytes === undefined ||
      query.maxSizeBytes === undefined ||
      query.minSizeBytes <= query.maxSizeBytes,
    { message: 'must not be below min_size_bytes', path: ['maxSizeBytes'] },
  );

export const searchFilesSchema = z
  .object({
    query: searchQuerySchema,
    ownerId: optionalUuid,
    mimeTypePrefix: z.string().trim().toLowerCase().max(255, 'must be at most 255 characters'),
    createTimeAfter: timestamp.optional(),
    createTimeBefore: timestamp.optional(),
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    includeTotalSize: z.boolean(),
  })
  .refine(
    (query) =>
      !query.createTimeAfter ||
      !query.createTimeBefore ||
      query.createTimeAfter < query.createTimeBefore,
    { message: 'must be after create_time_after', path: ['createTimeBefore'] },
  );
export type FileSearch = z.output<typeof searchFilesSchema>;

/** Files and folders are shared as viewer or editor (documents also have commenters). */
const fileShareRole = protoEnum<ShareRole>(
  {
    [contentV1.ShareRole.SHARE_ROLE_VIEWER]: 'viewer',
    [contentV1.ShareRole.SHARE_ROLE_EDITOR]: 'editor',
  },
  'SHARE_ROLE_VIEWER or SHARE_ROLE_EDITOR',
);

export const fileShareSchema = z.object({ fileId: uuid, userId: uuid, role: fileShareRole });
export const fileShareTargetSchema = z.object({ fileId: uuid, userId: uuid });
export const fileIdOnlySchema = z.object({ fileId: uuid });
export const folderShareSchema = z.object({ folderId: uuid, userId: uuid, role: fileShareRole });
export const folderShareTargetSchema = z.object({ folderId: uuid, userId: uuid });
export const folderIdOnlySchema = z.object({ folderId: uuid });

export const createLinkShareSchema = z.object({
  fileId: uuid,
  expireTime: timestamp
    .optional()
    .refine((time) => !time || time.getTime() > Date.now(), 'must be in the future'),
  password: z
    .string()
    .refine(
      (value) => value === '' || (value.length >= 8 && value.length <= 128),
      'must be 8 to 128 characters, or empty for none',
    ),
  downloadLimit: z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number from 0 (no limit) to 999999999')
    .transform(Number),
});

/** A link's token: what newLinkToken makes (base64url); anything else cannot be one. */
export const sharedFileSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a link token'),
  password: z.string().max(128, 'must be at most 128 characters'),
});

export const createFolderSchema = z.object({
  folder: z.object({ name, parentId: optionalUuid }, required),
  requestId,
});
export const listFoldersSchema = z.object({
  parentId: optionalUuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
});
export const FOLDER_UPDATABLE = ['name'] as const;
export const updateFolderSchema = z.object({
  folder: z.object({ id: uuid, etag, name }, required),
});
export const moveFolderSchema = z.object({ id: uuid, parentId: optionalUuid, etag });
export const deleteFolderSchema = z.object({ id: uuid, etag });
