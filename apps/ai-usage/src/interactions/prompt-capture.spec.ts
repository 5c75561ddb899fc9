import { createHash, createHmac } from 'node:crypto';
import { captureText } from './prompt-capture';

const SECRET = 'a-test-secret-of-at-least-32-characters';

describe('captureText', () => {
  it('keeps only the length in code points and the keyed hash when capture is off', () => {
    const off = captureText('héllo 👋', false, SECRET);
    expect(off.text).toBeNull();
    expect(off.length).toBe(7);
    expect(off.hmac).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the text when capture is on, with the same keyed hash as when off', () => {
    const on = captureText('hello', true, SECRET);
    expect(on.text).toBe('hello');
    expect(on.hmac).toBe(createHmac('sha256', SECRET).update('hello').digest('hex'));
    expect(captureText('hello', false, SECRET).hmac).toBe(on.hmac);
  });

  it('is not the plain SHA-256 of the text, and changes with the secret', () => {
    const hashed = captureText('yes', false, SECRET).hmac;
    expect(hashed).not.toBe(createHash('sha256').update('yes').digest('hex'));
    expect(captureText('yes', false, `${SECRET}-rotated`).hmac).not.toBe(hashed);
  });
});
