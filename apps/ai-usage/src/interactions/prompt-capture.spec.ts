import { captureText } from './prompt-capture';

describe('captureText', () => {
  it('keeps only the length in code points and the hash when capture is off', () => {
    const off = captureText('héllo 👋', false);
    expect(off.text).toBeNull();
    expect(off.length).toBe(7);
    expect(off.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the text when capture is on, with the same hash as when off', () => {
    const on = captureText('hello', true);
    expect(on.text).toBe('hello');
    expect(on.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(captureText('hello', false).sha256).toBe(on.sha256);
  });
});
