import { z } from 'zod';
import { etag, optionalUuid, requestId, uuid } from '../validation';

/** Request schemas of the mailbox RPCs of EmailService. */

const required = { error: 'is required' };
/** 1-255 characters, no control characters, trimmed (JMAP Mailbox.name). */
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');
/** "" (the top level) or one of the caller's mailboxes. */
const parentId = optionalUuid.transform((value) => value ?? null);
const sortOrder = z.number().int().min(0, 'must not be negative');

export const createMailboxSchema = z.object({
  mailbox: z.object({ name, parentId, sortOrder }, required),
  requestId,
});

/** The fields UpdateMailbox changes, by update_mask path. */
export const MAILBOX_UPDATABLE = ['name', 'parent_id', 'sort_order'] as const;
export type MailboxField = (typeof MAILBOX_UPDATABLE)[number];

const mailboxFields = {
  name: z.object({ name }),
  parent_id: z.object({ parentId }),
  sort_order: z.object({ sortOrder }),
} satisfies Record<MailboxField, z.ZodObject>;

export type MailboxUpdate = {
  id: string;
  etag: string;
  name?: string;
  parentId?: string | null;
  sortOrder?: number;
};

/** Only the fields in the mask are validated and applied (AIP-134). */
export function updateMailboxSchema(
  paths: ReadonlySet<MailboxField>,
): z.ZodType<{ mailbox: MailboxUpdate }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(mailboxFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  return z.object({ mailbox: fields }, required) as unknown as z.ZodType<{
    mailbox: MailboxUpdate;
  }>;
}

export const deleteMailboxSchema = z.object({ id: uuid, etag, removeEmails: z.boolean() });
