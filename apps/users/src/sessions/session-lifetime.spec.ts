import { MAX_CLIENT_LENGTH, clientLabel, expiryOf, isOpen } from './session-lifetime';

const at = (iso: string) => new Date(iso);

describe('session lifetime', () => {
  const session = {
    idleExpiresAt: at('2026-12-03T12:30:00Z'),
    absoluteExpiresAt: at('2026-12-03T20:00:00Z'),
    endedAt: null,
  };

  it('expires at the idle timeout or the absolute end, whichever comes first', () => {
    expect(expiryOf(session)).toEqual(at('2026-12-03T12:30:00Z'));
    expect(expiryOf({ ...session, idleExpiresAt: at('2026-12-03T21:00:00Z') })).toEqual(
      at('2026-12-03T20:00:00Z'),
    );
  });

  it('is open before its expiry unless ended', () => {
    expect(isOpen(session, at('2026-12-03T12:29:59Z'))).toBe(true);
    expect(isOpen(session, at('2026-12-03T12:30:00Z'))).toBe(false);
    expect(
      isOpen({ ...session, endedAt: at('2026-12-03T12:00:00Z') }, at('2026-12-03T12:10:00Z')),
    ).toBe(false);
  });
});

describe('clientLabel', () => {
  it("prefers the caller's label, else the user agent, trimmed", () => {
    expect(clientLabel('  dashboard ', 'grpc-node-js/1.0')).toBe('dashboard');
    expect(clientLabel('', ' grpc-node-js/1.0 ')).toBe('grpc-node-js/1.0');
    expect(clientLabel('  ', undefined)).toBe('');
  });

  it('cuts a long user agent by code points, never inside a surrogate pair', () => {
    const agent = `${'a'.repeat(MAX_CLIENT_LENGTH - 1)}😀😀`;
    const label = clientLabel('', agent);
    expect([...label]).toHaveLength(MAX_CLIENT_LENGTH);
    expect(label.endsWith('😀')).toBe(true);
  });
});
