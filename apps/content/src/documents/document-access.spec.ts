import { codeOf, principal as as } from '../spec-helpers';
import { accessOf, checkEdit, checkManage, checkRead } from './document-access';

const owner = 'owner-id';
const document = { ownerId: owner };

describe('document access', () => {
  it('gives owner and admins everything, whatever the share', () => {
    expect(accessOf(as('user', owner), document, undefined)).toBe('manage');
    expect(accessOf(as('admin'), document, undefined)).toBe('manage');
  });

  it('maps share roles: editors edit, commenters and viewers read, others nothing', () => {
    expect(accessOf(as('user'), document, 'editor')).toBe('edit');
    expect(accessOf(as('user'), document, 'commenter')).toBe('read');
    expect(accessOf(as('user'), document, 'viewer')).toBe('read');
    expect(accessOf(as('manager'), document, undefined)).toBe('none');
  });

  it('refuses reading without a share', () => {
    expect(codeOf(() => checkRead('none'))).toBe('NO_ACCESS');
    expect(codeOf(() => checkRead('read'))).toBeUndefined();
  });

  it('lets editors edit but not manage, and readers neither', () => {
    expect(codeOf(() => checkEdit(as('user'), 'edit'))).toBeUndefined();
    expect(codeOf(() => checkManage(as('user'), 'edit'))).toBe('NOT_OWNER');
    expect(codeOf(() => checkEdit(as('user'), 'read'))).toBe('NOT_EDITOR');
  });

  it('never lets a guest write, even as an editor or owner', () => {
    expect(codeOf(() => checkEdit(as('guest'), 'edit'))).toBe('GUEST_READ_ONLY');
    expect(codeOf(() => checkManage(as('guest'), 'manage'))).toBe('GUEST_READ_ONLY');
  });
});
