import type { PlatformEvent } from '@nexus/events';
import { erasedUserId } from './user-deleted.handler';

const event = (type: string, after: Record<string, unknown> | null): PlatformEvent => ({
  id: 'e',
  type,
  source: '/nexus/users',
  subject: 'user-1',
  time: new Date(),
  topic: 'nexus.users.user',
  partition: 0,
  offset: '0',
  data: { before: { id: 'user-1' }, after: after as never, changed: [], actor: null },
});

describe('erasedUserId', () => {
  it('names the user of a hard delete (no resource after)', () => {
    expect(erasedUserId(event('nexus.users.user.deleted', null))).toBe('user-1');
  });

  it('ignores a deactivation and every other change', () => {
    expect(erasedUserId(event('nexus.users.user.deleted', { isActive: false }))).toBeNull();
    expect(erasedUserId(event('nexus.users.user.updated', { isActive: false }))).toBeNull();
    expect(erasedUserId(event('nexus.users.user.restored', { isActive: true }))).toBeNull();
    expect(erasedUserId(event('nexus.users.user.signed_out', null))).toBeNull();
  });
});
