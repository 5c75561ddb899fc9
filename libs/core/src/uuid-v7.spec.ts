import { isUuid, uuidv7 } from './uuid-v7';

describe('uuidv7', () => {
  it('produces version 7, variant 10 UUIDs', () => {
    const id = uuidv7();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('encodes the creation time in the first 48 bits', () => {
    const at = Date.now() + 86_400_000;
    const id = uuidv7(at);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('keeps ids made in the same millisecond strictly increasing', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(Date.now()));
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
