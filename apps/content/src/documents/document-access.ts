import { canWrite, isAdmin, type Principal } from '@nexus/core';
import { ContentError } from '../content.errors';
import type { ShareRole } from './document-share.entity';

/** What the caller may do with a document, given the share granted to them (if any). */
export type DocumentAccess = 'manage' | 'edit' | 'read' | 'none';

export function accessOf(
  caller: Principal,
  document: { ownerId: string },
  shareRole: ShareRole | undefined,
): DocumentAccess {
  if (isAdmin(caller) || document.ownerId === caller.userId) return 'manage';
  if (shareRole === 'editor') return 'edit';
  if (shareRole === 'commenter' || shareRole === 'viewer') return 'read';
  return 'none';
}

/** Anyone but a guest may create documents. */
export function checkCreate(caller: Principal): void {
  checkWriter(caller);
}

export function checkRead(access: DocumentAccess): void {
  if (access === 'none') {
    throw new ContentError('NO_ACCESS', 'the document is not shared with the caller');
  }
}

/** Owner, admins and editors change title and content; guests never write. */
export function checkEdit(caller: Principal, access: DocumentAccess): void {
  checkRead(access);
  checkWriter(caller);
  if (access === 'read') {
    throw new ContentError('NOT_EDITOR', 'only editors, the owner and admins change a document');
  }
}

/** Sharing, trash and purge belong to the owner and admins. */
export function checkManage(caller: Principal, access: DocumentAccess): void {
  checkRead(access);
  checkWriter(caller);
  if (access !== 'manage') {
    throw new ContentError('NOT_OWNER', 'only the owner and admins share, delete or purge');
  }
}

export function checkWriter(caller: Principal): void {
  if (!canWrite(caller)) throw new ContentError('GUEST_READ_ONLY', 'guests have read-only access');
}
