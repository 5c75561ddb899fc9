import type { PlatformEvent } from '@nexus/events';
import { leavingUserId } from './user-cascade';

const event = (type: string, after: Record<string, unknown> | null): PlatformEvent => ({
  id: 'e',
  type,
  source: '/nexus/users',
  subject: 'user-1',
  time: new Date(),
  topic: 'nexus.users.user',
  partition: 0,
  offset: '0',
  data: { before: null, after: after as never, changed: [], actor: null },
});

describe('leavingUserId', () => {
  it('names the user of a delete (deactivation or erasure) and of an update to inactive', () => {
    expect(leavingUserId(event('nexus.users.user.deleted', { isActive: false }))).toBe('user-1');
    expect(leavingUserId(event('nexus.users.user.deleted', null))).toBe('user-1');
    expect(leavingUserId(event('nexus.users.user.updated', { isActive: false }))).toBe('user-1');
  });

  it('ignores other changes, including an update of an active user', () => {
    expect(leavingUserId(event('nexus.users.user.updated', { isActive: true }))).toBeNull();
    expect(leavingUserId(event('nexus.users.user.created', { isActive: true }))).toBeNull();
    expect(leavingUserId(event('nexus.users.user.restored', { isActive: true }))).toBeNull();
  });
});
