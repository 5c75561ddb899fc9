import { KitError } from '@nexus/core';
import { codeOf, principal as as } from '../spec-helpers';
import { checkEditFile, checkManageFile, checkReadFile } from './file-access';

/** NOT_FOUND is a KitError, the rest ContentErrors: both by their code. */
function outcome(check: () => void): string | undefined {
  try {
    return codeOf(check);
  } catch (error) {
    if (error instanceof KitError) return error.code;
    throw error;
  }
}

describe('file access levels', () => {
  it('hides a file from a caller without access (NOT_FOUND), whatever they ask', () => {
    expect(outcome(() => checkReadFile('none', 'f'))).toBe('NOT_FOUND');
    expect(outcome(() => checkEditFile(as('user'), 'none', 'f'))).toBe('NOT_FOUND');
    expect(outcome(() => checkManageFile(as('admin'), 'none', 'f'))).toBe('NOT_FOUND');
  });

  it('lets readers read, editors edit, and only the owner and admins manage', () => {
    expect(outcome(() => checkReadFile('read', 'f'))).toBeUndefined();
    expect(outcome(() => checkEditFile(as('user'), 'read', 'f'))).toBe('NOT_EDITOR');
    expect(outcome(() => checkEditFile(as('user'), 'edit', 'f'))).toBeUndefined();
    expect(outcome(() => checkManageFile(as('user'), 'edit', 'f'))).toBe('NOT_OWNER');
    expect(outcome(() => checkManageFile(as('user'), 'manage', 'f'))).toBeUndefined();
  });

  it('never lets a guest write, even their own file', () => {
    expect(outcome(() => checkEditFile(as('guest'), 'manage', 'f'))).toBe('GUEST_READ_ONLY');
  });
});
