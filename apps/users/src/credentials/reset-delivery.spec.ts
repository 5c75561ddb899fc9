import { randomBytes } from 'node:crypto';
import { openResetDelivery, sealResetDelivery, type ResetDelivery } from './reset-delivery';

const key = randomBytes(32);
const delivery: ResetDelivery = {
  userId: '0190d6a4-0000-7000-8000-000000000001',
  email: 'ada@example.com',
  token: 'tok_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  expireTime: '2026-12-03T13:00:00.000Z',
};
const eventOf = (userId: string, sealed = sealResetDelivery(delivery, key)) => ({
  before: { id: userId },
  after: { id: userId },
  changed: [],
  actor: null,
  delivery: sealed,
});

describe('reset delivery sealing', () => {
  it('opens with the shared key (raw or base64) and shows no token in the sealed value', () => {
    const value = eventOf(delivery.userId);
    expect(JSON.stringify(value)).not.toContain(delivery.token);
    expect(JSON.stringify(value)).not.toContain(delivery.email);
    expect(openResetDelivery(value, key)).toEqual(delivery);
    expect(openResetDelivery(JSON.parse(JSON.stringify(value)), key.toString('base64'))).toEqual(
      delivery,
    );
  });

  it('refuses another key, an altered box, and a box moved into another user event', () => {
    const value = eventOf(delivery.userId);
    expect(() => openResetDelivery(value, randomBytes(32))).toThrow();
    const altered = Buffer.from(value.delivery.sealed, 'base64url');
    altered[20] ^= 1;
    expect(() =>
      openResetDelivery(
        eventOf(delivery.userId, { alg: 'A256GCM', sealed: altered.toString('base64url') }),
        key,
      ),
    ).toThrow();
    expect(() =>
      openResetDelivery(eventOf('0190d6a4-0000-7000-8000-000000000002', value.delivery), key),
    ).toThrow();
    expect(() => openResetDelivery({ after: { id: delivery.userId } }, key)).toThrow(
      'not a password_reset_requested event value',
    );
  });

  it('seals the same delivery differently each time (a fresh IV)', () => {
    expect(sealResetDelivery(delivery, key).sealed).not.toBe(
      sealResetDelivery(delivery, key).sealed,
    );
  });
});
