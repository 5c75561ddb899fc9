import { z } from 'zod';
import { jsonObject, timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema, searchQuerySchema } from '@nexus/grpc';
import { contentV1 } from '@nexus/proto';
import { etag, note, optionalUuid, protoEnum, requestId, required, uuid } from '../validation';
import type { ShareRole } from './document-share.entity';
import type { DocumentKind } from './document.entity';

/** Request schemas: what each DocumentService RPC accepts, with the messages callers see per field. */

const KIND_OF_PROTO: Partial<Record<number, DocumentKind>> = {
  [contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT]: 'document',
  [contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET]: 'spreadsheet',
  [contentV1.DocumentKind.DOCUMENT_KIND_PRESENTATION]: 'presentation',
};
const ROLE_OF_PROTO: Partial<Record<number, ShareRole>> = {
  [contentV1.ShareRole.SHARE_ROLE_VIEWER]: 'viewer',
  [contentV1.ShareRole.SHARE_ROLE_COMMENTER]: 'commenter',
  [contentV1.ShareRole.SHARE_ROLE_EDITOR]: 'editor',
};

const MAX_CONTENT_BYTES = 1024 * 1024;

const kind = protoEnum(
  KIND_OF_PROTO,
  'DOCUMENT_KIND_DOCUMENT, DOCUMENT_KIND_SPREADSHEET or DOCUMENT_KIND_PRESENTATION',
);
const shareRole = protoEnum(
  ROLE_OF_PROTO,
  'SHARE_ROLE_VIEWER, SHARE_ROLE_COMMENTER or SHARE_ROLE_EDITOR',
);
const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters');
const content = jsonObject({ maxBytes: MAX_CONTENT_BYTES })
  .optional()
  .transform((value) => value ?? {});
const versionNumber = z.number().int().min(1, 'must be a version number (1 or more)');

export const createDocumentSchema = z.object({
  document: z.object({ title, kind, content }, required),
  requestId,
  versionNote: note,
});

export const UPDATABLE = ['title', 'content'] as const;
export type UpdatableField = (typeof UPDATABLE)[number];

const updatableFields = {
  title: z.object({ title }),
  content: z.object({ content }),
};

export interface DocumentChanges {
  title?: string;
  content?: Record<string, unknown>;
}

/** The named fields of `document`, validated; other fields of the message are ignored (AIP-134). */
export function updateDocumentSchema(
  paths: ReadonlySet<UpdatableField>,
): z.ZodType<{ document: { id: string; etag: string } & DocumentChanges; versionNote: string }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(updatableFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  // Built per mask, so the static type is asserted: fields outside the mask stay unset.
  return z.object({
    document: z.object(fields.shape, required),
    versionNote: note,
  }) as unknown as z.ZodType<{
    document: { id: string; etag: string } & DocumentChanges;
    versionNote: string;
  }>;
}

export const idSchema = z.object({ id: uuid });
export const idEtagSchema = z.object({ id: uuid, etag });

const time = timestamp.optional();

export const listDocumentsSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  kind: kind.optional(),
  ownerId: optionalUuid,
  sharedWithMe: z.boolean(),
  titlePrefix: z.string().trim().toLowerCase().max(500, 'must be at most 500 characters'),
  updateTimeAfter: time,
  updateTimeBefore: time,
  showDeleted: z.boolean(),
  orderBy: z
    .enum(contentV1.DocumentOrderBy, 'must be a DocumentOrderBy value')
    .refine(
      (value) => value !== contentV1.DocumentOrderBy.UNRECOGNIZED,
      'must be a DocumentOrderBy value',
    ),
  includeTotalSize: z.boolean(),
});

export const searchDocumentsSchema = z
  .object({
    query: searchQuerySchema,
    kind: kind.optional(),
    ownerId: optionalUuid,
    updateTimeAfter: time,
    updateTimeBefore: time,
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    includeTotalSize: z.boolean(),
  })
  .refine(
    (query) =>
      !query.updateTimeAfter ||
      !query.updateTimeBefore ||
      query.updateTimeAfter < query.updateTimeBefore,
    { message: 'must be after update_time_after', path: ['updateTimeBefore'] },
  );
export type DocumentSearch = z.output<typeof searchDocumentsSchema>;

export const listVersionsSchema = z.object({
  documentId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
});

export const versionSchema = z.object({ documentId: uuid, number: versionNumber });
export const VERSION_UPDATABLE = ['keep_forever'] as const;
export const updateVersionSchema = z.object({
  version: z.object(
    { documentId: uuid, number: versionNumber, keepForever: z.boolean() },
    required,
  ),
});
export const restoreVersionSchema = z.object({ documentId: uuid, number: versionNumber, etag });

export const shareSchema = z.object({ documentId: uuid, userId: uuid, role: shareRole });
export const shareTargetSchema = z.object({ documentId: uuid, userId: uuid });
export const documentIdSchema = z.object({ documentId: uuid });
