import { z } from 'zod';
import { isUuid, timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema, searchQuerySchema } from '@nexus/grpc';
import { type commsV1 } from '@nexus/proto';
import { MAILBOX_OF_PROTO } from '../mailboxes/mailbox.mapping';
import { attachmentIds, etag, idSchema, optionalUuid, requestId, uuid } from '../validation';
import { DRAFT, MAX_KEYWORDS } from './email-keywords';

/** Request schemas of EmailService. */

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
/**
 * A JMAP keyword (RFC 8621 4.1.1): 1-255 of the printable ASCII characters
 * but ( ) { ] % * " \, compared in lower case.
 */
const keyword = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .refine((value) => !/[(){\]%*"\\]/.test(value), 'must not contain ( ) { ] % * " or \\')
  .transform((value) => value.toLowerCase());
/** A keyword a caller may set: `$draft` is the server's (a draft is a state, not a flag). */
const settableKeyword = keyword.refine((value) => value !== DRAFT, {
  message: 'is set by the server on drafts only',
});
const keywords = z
  .array(settableKeyword)
  .max(MAX_KEYWORDS, `must name at most ${MAX_KEYWORDS} keywords`)
  .transform((values) => [...new Set(values)]);
const optionalKeyword = z.union([z.literal(''), keyword]).transform((value) => value || undefined);
const mailboxIds = z
  .array(uuid)
  .min(1, 'must name at least one mailbox')
  .max(100, 'must name at most 100 mailboxes');
const oneMailboxFilter = (query: { mailbox?: unknown; mailboxId?: string }) =>
  !query.mailbox || !query.mailboxId;
const ONE_MAILBOX_FILTER = { message: 'must not be set with mailbox', path: ['mailboxId'] };

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
    mailboxId: optionalUuid,
    keyword: optionalKeyword,
    notKeyword: optionalKeyword,
  })
  .refine(endsAfterStart, END_AFTER_START)
  .refine(oneMailboxFilter, ONE_MAILBOX_FILTER);

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
    mailboxId: optionalUuid,
  })
  .refine(endsAfterStart, END_AFTER_START)
  .refine(oneMailboxFilter, ONE_MAILBOX_FILTER);
export type EmailSearch = z.output<typeof searchEmailsSchema>;

/** The fields UpdateEmail changes, by update_mask path. */
export const EMAIL_UPDATABLE = ['mailbox_ids', 'keywords'] as const;
export type EmailField = (typeof EMAIL_UPDATABLE)[number];

const emailFields = {
  mailbox_ids: z.object({ mailboxIds }),
  keywords: z.object({ keywords }),
} satisfies Record<EmailField, z.ZodObject>;

export type EmailUpdate = { id: string; etag: string; mailboxIds?: string[]; keywords?: string[] };

/** Only the fields in the mask are validated and applied (AIP-134). */
export function updateEmailSchema(
  paths: ReadonlySet<EmailField>,
): z.ZodType<{ email: EmailUpdate }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(emailFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  return z.object({ email: fields }, required) as unknown as z.ZodType<{ email: EmailUpdate }>;
}

export const setKeywordsSchema = z
  .object({ id: uuid, add: keywords, remove: keywords, etag })
  .refine((request) => request.add.length + request.remove.length > 0, {
    message: 'must name a keyword to add or remove',
    path: ['add'],
  })
  .refine((request) => !request.add.some((value) => request.remove.includes(value)), {
    message: 'must not name a keyword also in add',
    path: ['remove'],
  });

export const mailboxMembershipSchema = z.object({ id: uuid, mailboxId: uuid });
