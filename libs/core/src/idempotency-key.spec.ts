import { requestFingerprint } from './idempotency-key';

describe('requestFingerprint', () => {
  it('is the same for the same request whatever its request id and key order', () => {
    const a = requestFingerprint({ requestId: 'one', title: 'x', tags: ['a', 'b'], n: 1 });
    const b = requestFingerprint({ n: 1, tags: ['a', 'b'], title: 'x', requestId: 'two' });
    expect(a).toBe(b);
  });

  it('differs when any field, nested value, byte or list order differs', () => {
    const base = { title: 'x', content: { a: [1, 2] }, bytes: Buffer.from('ab'), n: 1 };
    const print = requestFingerprint(base);
    for (const changed of [
      { ...base, title: 'y' },
      { ...base, content: { a: [2, 1] } },
      { ...base, bytes: Buffer.from('ac') },
      { ...base, n: 2 },
      { ...base, extra: true },
    ]) {
      expect(requestFingerprint(changed)).not.toBe(print);
    }
  });

  it('keeps NaN, the infinities and null apart (JSON.stringify would not)', () => {
    const prints = [NaN, Infinity, -Infinity, null].map((n) => requestFingerprint({ n }));
    expect(new Set(prints).size).toBe(4);
  });

  it('leaves out only the top-level request id, not a nested one', () => {
    expect(requestFingerprint({ item: { requestId: 'a' } })).not.toBe(
      requestFingerprint({ item: { requestId: 'b' } }),
    );
  });
});
