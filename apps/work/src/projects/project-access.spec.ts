import type { Principal, Role } from '@nexus/core';
import type { MemberRole } from '../shared/work-types';
import { WorkError } from '../work.errors';
import { checkProjectAccess, type ProjectAction } from './project-access';

const caller = (role: Role): Principal => ({ userId: 'u', role, token: 't' });

function allowed(role: Role, projectRole: MemberRole | null, action: ProjectAction): boolean {
  try {
    checkProjectAccess(caller(role), projectRole, action);
    return true;
  } catch (error) {
    if (error instanceof WorkError) return false;
    throw error;
  }
}

describe('checkProjectAccess', () => {
  it.each<[MemberRole, ProjectAction[]]>([
    ['owner', ['read', 'contribute', 'manage', 'own']],
    ['manager', ['read', 'contribute', 'manage']],
    ['member', ['read', 'contribute']],
    ['viewer', ['read']],
  ])('lets a %s do exactly %j', (projectRole, actions) => {
    const all: ProjectAction[] = ['read', 'contribute', 'manage', 'own'];
    expect(all.filter((action) => allowed('user', projectRole, action))).toEqual(actions);
  });

  it('refuses non-members everything and lets admins do everything', () => {
    expect(allowed('manager', null, 'read')).toBe(false);
    expect(allowed('admin', null, 'own')).toBe(true);
  });

  it('lets platform guests only read, whatever their project role', () => {
    expect(allowed('guest', 'owner', 'read')).toBe(true);
    expect(allowed('guest', 'owner', 'contribute')).toBe(false);
  });
});
