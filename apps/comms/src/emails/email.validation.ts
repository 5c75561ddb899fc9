import { z } from 'zod';
import { isUuid, timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema, searchQuerySchema } from '@nexus/grpc';
import { commsV1 } from '@nexus/proto';
import type { MailboxRole } from '../mailboxes/mailbox.entity';
import { attachmentIds, etag, idSchema, optionalUuid, requestId, uuid } from '../validation';

/** Request schemas of EmailService. */

const MAILBOX_OF_PROTO: Partial<Record<commsV1.MailboxRole, MailboxRole>> = {
  [commsV1.MailboxRole.MAILBOX_ROLE_INBOX]: 'inbox',
  [commsV1.MailboxRole.MAILBOX_ROLE_SENT]: 'sent',
  [commsV1.MailboxRole.MAILBOX_ROLE_DRAFTS]: 'drafts',
  [commsV1.MailboxRole.MAILBOX_ROLE_TRASH]: 'trash',
};

const address = z.email('must be a user id or an email address');
/** A user id, or an external address (lower-cased so duplicates are seen). */
const recipient = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .transform((value) => (isUuid(value) ? value : value.toLowerCase()))
  .pipe(z.union([uuid, address], 'must be a user id or an email address'));
const recipients = z.array(recipient).max(100, 'must name at most 100 recipients');
const subject = z.string().max(998, 'must be at most 998 characters');
const bodyText = z.string().max(1_000_000, 'must be at most 1,000,000 characters');
const bodyHtml = z.string().max(2_000_000, 'must be at most 2,000,000 characters');
const required = { error: 'is required' };
/** Unspecified: undefined (every mailbox but the trash). */
const mailbox = z.number().transform((value, ctx) => {
  if (value === 0) return undefined;
  const named = MAILBOX_OF_PROTO[value as commsV1.MailboxRole];
  if (!named) ctx.addIssue({ code: 'custom', message: 'must be a MailboxRole value' });
  return named;
});
const endsAfterStart = (query: { startTime?: Date; endTime?: Date }) =>
  !query.startTime || !query.endTime || query.startTime < query.endTime;
const END_AFTER_START = { message: 'must be after start_time', path: ['endTime'] };

export const createDraftSchema = z.object({
  email: z.object(
    { to: recipients, cc: recipients, bcc: recipients, subject, bodyText, bodyHtml, attachmentIds },
    required,
  ),
  requestId,
});

/** The draft fields UpdateDraft changes, by update_mask path. */
export const DRAFT_UPDATABLE = [
  'to',
  'cc',
  'bcc',
  'subject',
  'body_text',
  'body_html',
  'attachment_ids',
] as const;
export type DraftField = (typeof DRAFT_UPDATABLE)[number];

const draftFields = {
  to: z.object({ to: recipients }),
  cc: z.object({ cc: recipients }),
  bcc: z.object({ bcc: recipients }),
  subject: z.object({ subject }),
  body_text: z.object({ bodyText }),
  body_html: z.object({ bodyHtml }),
  attachment_ids: z.object({ attachmentIds }),
} satisfies Record<DraftField, z.ZodObject>;

export type DraftUpdate = {
  id: string;
  etag: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  bodyText?: string;
  bodyHtml?: string;
  attachmentIds?: string[];
};

/** Only the fields in the mask are validated and applied (AIP-134). */
export function updateDraftSchema(
  paths: ReadonlySet<DraftField>,
): z.ZodType<{ email: DraftUpdate }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(draftFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  return z.object({ email: fields }, required) as unknown as z.ZodType<{ email: DraftUpdate }>;
}

export const sendSchema = z.object({ id: uuid, etag });
export const replySchema = z.object({ id: uuid, bodyText, bodyHtml, requestId });
export const forwardSchema = z.object({ id: uuid, to: recipients, bodyText, requestId });
export const getSchema = idSchema;
export const threadSchema = z.object({ threadId: uuid });
export const trashSchema = z.object({ id: uuid, etag });

export const listEmailsSchema = z
  .object({
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    mailbox,
    threadId: optionalUuid,
    unreadOnly: z.boolean(),
    senderId: optionalUuid,
    startTime: timestamp.optional(),
    endTime: timestamp.optional(),
    includeTotalSize: z.boolean(),
  })
  .refine(endsAfterStart, END_AFTER_START);

export const searchEmailsSchema = z
  .object({
    query: searchQuerySchema,
    mailbox,
    startTime: timestamp.optional(),
    endTime: timestamp.optional(),
    hasAttachment: z.boolean(),
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    includeTotalSize: z.boolean(),
  })
  .refine(endsAfterStart, END_AFTER_START);
export type EmailSearch = z.output<typeof searchEmailsSchema>;
