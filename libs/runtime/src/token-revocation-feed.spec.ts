import { revocationOf } from './token-revocation-feed';

describe('revocationOf', () => {
  const subject = '01900000-0000-7000-8000-000000000001';
  const time = new Date('2026-12-03T12:00:00.123Z');
  const event = (type: string, changed: string[] = []) => ({
    type,
    subject,
    time,
    data: { before: null, after: null, changed, actor: null },
  });

  it.each([
    'nexus.users.user.deleted',
    'nexus.users.user.password_changed',
    'nexus.users.user.signed_out',
  ])('revokes the user’s earlier tokens on %s', (type) => {
    expect(revocationOf(event(type))).toEqual({ userId: subject, atMs: time.getTime() });
  });

  it('revokes on an update of the role or the active flag, not of other fields', () => {
    expect(revocationOf(event('nexus.users.user.updated', ['role']))).not.toBeNull();
    expect(revocationOf(event('nexus.users.user.updated', ['isActive']))).not.toBeNull();
    expect(revocationOf(event('nexus.users.user.updated', ['fullName', 'email']))).toBeNull();
  });

  it('ends the session of a session.ended event; other events revoke nothing', () => {
    expect(revocationOf(event('nexus.users.session.ended'))).toEqual({
      sessionId: subject,
      atMs: time.getTime(),
    });
    expect(revocationOf(event('nexus.users.session.created'))).toBeNull();
    expect(revocationOf(event('nexus.users.user.created'))).toBeNull();
    expect(revocationOf(event('nexus.users.user.restored'))).toBeNull();
  });
});
