import { isAdmin, type Principal } from '@nexus/core';
import { ContentError } from '../content.errors';
import { checkWriter } from '../documents/document-access';

/** Public files are readable by every signed-in user; private ones by their owner and admins. */
export function canReadFile(
  caller: Principal,
  file: { ownerId: string; isPublic: boolean },
): boolean {
  return file.isPublic || isAdmin(caller) || file.ownerId === caller.userId;
}

export function checkReadFile(
  caller: Principal,
  file: { id: string; ownerId: string; isPublic: boolean },
): void {
  if (!canReadFile(caller, file)) {
    throw new ContentError('NO_ACCESS', `file ${file.id} is private to its owner`, [], {
      id: file.id,
    });
  }
}

/** Only the owner and admins rename, change visibility or delete; guests never write. */
export function checkChangeFile(
  caller: Principal,
  file: { id: string; ownerId: string; isPublic: boolean },
): void {
  checkReadFile(caller, file);
  checkWriter(caller);
  if (!isAdmin(caller) && file.ownerId !== caller.userId) {
    throw new ContentError('NOT_OWNER', 'only the owner and admins change or delete a file');
  }
}

export { checkWriter as checkUpload };
