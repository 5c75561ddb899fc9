import { codeOf, principal as as } from '../spec-helpers';
import { canReadFile, checkChangeFile } from './file-access';

const privateFile = { id: 'f', ownerId: 'owner', isPublic: false };
const publicFile = { ...privateFile, isPublic: true };

describe('file access', () => {
  it('lets anyone signed in read public files, only owner and admins private ones', () => {
    expect(canReadFile(as('guest'), publicFile)).toBe(true);
    expect(canReadFile(as('user'), privateFile)).toBe(false);
    expect(canReadFile(as('user', 'owner'), privateFile)).toBe(true);
    expect(canReadFile(as('admin'), privateFile)).toBe(true);
  });

  it('lets only the owner and admins change a file, and never a guest', () => {
    expect(codeOf(() => checkChangeFile(as('user'), publicFile))).toBe('NOT_OWNER');
    expect(codeOf(() => checkChangeFile(as('user'), privateFile))).toBe('NO_ACCESS');
    expect(codeOf(() => checkChangeFile(as('admin'), privateFile))).toBeUndefined();
    expect(codeOf(() => checkChangeFile(as('guest', 'owner'), privateFile))).toBe(
      'GUEST_READ_ONLY',
    );
  });
});
