import { KitError, canWrite, type Principal } from '@nexus/core';
import { CommsError } from '../comms.errors';
import type { EmailEntity } from './email.entity';

/** Guests read their mail but never write. */
export function checkCanWrite(caller: Principal): void {
  if (!canWrite(caller)) throw KitError.denied('guests have read-only access');
}

/** Only drafts are edited or sent. */
export function checkDraft(email: EmailEntity): void {
  if (email.status !== 'draft')
    throw new CommsError('NOT_A_DRAFT', `email ${email.id} is ${email.status}, not a draft`);
}
