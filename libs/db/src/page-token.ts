import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KitError } from '@nexus/core';

/** Where the previous page ended: the sort value and id of its last row. */
export interface Cursor {
  value: string | number;
  id: string;
}

interface TokenBody {
  /** order key */
  o: string;
  /** fingerprint of the filters the token was issued for */
  f: string;
  v: string | number;
  i: string;
}

const invalidToken = () =>
  KitError.invalid([
    {
      field: 'page_token',
      description: 'is not a page token this service issued for this request',
      reason: 'INVALID_PAGE_TOKEN',
    },
  ]);

/**
 * Opaque, tamper-proof keyset page tokens: the cursor as base64url JSON with
 * an HMAC-SHA256 over it. A token is bound to the order and filters it was
 * issued for, so it cannot be replayed against a different query.
 */
export class PageTokenCodec {
  constructor(private readonly secret: string) {}

  encode(order: string, filters: unknown, cursor: Cursor): string {
    const body: TokenBody = { o: order, f: fingerprint(filters), v: cursor.value, i: cursor.id };
    const json = Buffer.from(JSON.stringify(body)).toString('base64url');
    return `${json}.${this.sign(json)}`;
  }

  /** The cursor in `token`, or INVALID_ARGUMENT on `page_token`. */
  decode(token: string, order: string, filters: unknown): Cursor {
    const [json, signature, extra] = token.split('.');
    if (!json || !signature || extra !== undefined) throw invalidToken();
    const expected = Buffer.from(this.sign(json));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalidToken();
    let body: TokenBody;
    try {
      body = JSON.parse(Buffer.from(json, 'base64url').toString('utf8')) as TokenBody;
    } catch {
      throw invalidToken();
    }
    if (body.o !== order || body.f !== fingerprint(filters)) throw invalidToken();
    return { value: body.v, id: body.i };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

function fingerprint(filters: unknown): string {
  return createHash('sha256').update(stableJson(filters)).digest('base64url').slice(0, 16);
}

/** JSON with sorted keys, so equal filters always hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
