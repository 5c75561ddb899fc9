import { KitError } from '@nexus/core';
import { PageTokenCodec } from './page-token';

describe('PageTokenCodec', () => {
  const codec = new PageTokenCodec('a-secret-long-enough-for-the-hmac-0123456789');
  const filters = { role: 'user', prefix: 'ab' };
  const cursor = { value: '2026-01-02T03:04:05.678Z', id: '01900000-0000-7000-8000-000000000001' };

  it('round-trips a cursor for the same order and filters', () => {
    const token = codec.encode('create_time_desc', filters, cursor);
    expect(codec.decode(token, 'create_time_desc', { prefix: 'ab', role: 'user' })).toEqual(cursor);
  });

  const rejects = (token: string, order = 'create_time_desc', withFilters: unknown = filters) => {
    expect(() => codec.decode(token, order, withFilters)).toThrow(KitError);
    try {
      codec.decode(token, order, withFilters);
    } catch (error) {
      expect((error as KitError).violations[0]?.field).toBe('page_token');
    }
  };

  it('rejects a token whose body was changed', () => {
    const [body, signature] = codec.encode('create_time_desc', filters, cursor).split('.');
    const forged = Buffer.from(
      Buffer.from(body, 'base64url').toString().replace('0001', '0002'),
    ).toString('base64url');
    rejects(`${forged}.${signature}`);
  });

  it('rejects a token signed with another secret', () => {
    rejects(
      new PageTokenCodec('another-secret-long-enough-0123456789abcdef').encode(
        'create_time_desc',
        filters,
        cursor,
      ),
    );
  });

  it('rejects a token replayed with other filters or another order', () => {
    const token = codec.encode('create_time_desc', filters, cursor);
    rejects(token, 'create_time_desc', { role: 'admin', prefix: 'ab' });
    rejects(token, 'username_asc');
  });

  it('rejects garbage', () => {
    for (const token of ['', 'x', 'a.b.c', '.', 'e30.']) rejects(token);
  });
});
