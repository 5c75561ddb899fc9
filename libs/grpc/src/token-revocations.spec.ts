import { TokenRevocations } from './token-revocations';

describe('TokenRevocations', () => {
  const alice = '01900000-0000-7000-8000-00000000000a';
  const bob = '01900000-0000-7000-8000-00000000000b';
  const session = '01900000-0000-7000-8000-0000000000c1';

  const now = Date.now();

  it('voids a user’s tokens issued before the revocation, and only theirs', () => {
    const revocations = new TokenRevocations(3_600_000);
    revocations.revokeUser(alice, now);
    expect(revocations.isRevoked(alice, undefined, now - 1)).toBe(true);
    expect(revocations.isRevoked(alice, undefined, now)).toBe(false);
    expect(revocations.isRevoked(bob, undefined, 0)).toBe(false);
  });

  it('keeps the latest revocation of a user whatever order they arrive in', () => {
    const revocations = new TokenRevocations(3_600_000);
    revocations.revokeUser(alice, now);
    revocations.revokeUser(alice, now - 1_000);
    expect(revocations.isRevoked(alice, undefined, now - 500)).toBe(true);
  });

  it('voids every token of an ended session, whenever issued', () => {
    const revocations = new TokenRevocations(3_600_000);
    revocations.endSession(session, now);
    expect(revocations.isRevoked(alice, session, now + 5_000)).toBe(true);
    expect(revocations.isRevoked(alice, undefined, now + 5_000)).toBe(false);
  });

  it('forgets revocations older than the longest token lifetime', () => {
    jest.useFakeTimers({ now: 10_000_000 });
    try {
      const revocations = new TokenRevocations(60_000);
      revocations.revokeUser(alice, Date.now());
      revocations.endSession(session, Date.now());
      expect(revocations.size).toBe(2);
      jest.setSystemTime(Date.now() + 120_000);
      revocations.revokeUser(bob, Date.now()); // a write sweeps
      expect(revocations.size).toBe(1);
      expect(revocations.isRevoked(bob, undefined, Date.now() - 1)).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
