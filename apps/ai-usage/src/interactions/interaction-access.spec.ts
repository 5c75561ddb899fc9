import type { Principal, Role } from '@nexus/core';
import { checkAdmin, checkReadInteraction, checkRecord, readableUser } from './interaction-access';

const principal = (role: Role, userId = `${role}-id`): Principal => ({ role, userId, token: '' });

describe('interaction access', () => {
  it('lets users record for themselves, admins for anyone, and guests not at all', () => {
    expect(() => checkRecord(principal('user'), 'user-id')).not.toThrow();
    expect(() => checkRecord(principal('user'), 'someone')).toThrow(/only admins/);
    expect(() => checkRecord(principal('manager'), 'someone')).toThrow(/only admins/);
    expect(() => checkRecord(principal('admin'), 'someone')).not.toThrow();
    expect(() => checkRecord(principal('guest'), 'guest-id')).toThrow(/read-only/);
  });

  it("lets managers and admins read anyone's interactions and users only their own", () => {
    expect(() => checkReadInteraction(principal('manager'), 'someone')).not.toThrow();
    expect(() => checkReadInteraction(principal('admin'), 'someone')).not.toThrow();
    expect(() => checkReadInteraction(principal('user'), 'user-id')).not.toThrow();
    expect(() => checkReadInteraction(principal('user'), 'someone')).toThrow();
  });

  it('limits lists of users to themselves and leaves managers unrestricted', () => {
    expect(readableUser(principal('user'), undefined)).toBe('user-id');
    expect(() => readableUser(principal('user'), 'someone')).toThrow();
    expect(readableUser(principal('manager'), undefined)).toBeUndefined();
    expect(readableUser(principal('manager'), 'someone')).toBe('someone');
  });

  it('keeps price and budget changes for admins', () => {
    expect(() => checkAdmin(principal('manager'), 'set prices')).toThrow(/only admins/);
    expect(() => checkAdmin(principal('admin'), 'set prices')).not.toThrow();
  });
});
