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

describe('requestFingerprint, as stored', () => {
  // Computed with the code that first wrote fingerprints to the database: a
  // stored idempotency key is compared with these, so they must never change.
  const sparse: unknown[] = [1];
  sparse[2] = 2;
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const pinned: [string, object, string][] = [
    [
      'a flat request',
      { requestId: 'r-1', title: 'Quarterly plan', tags: ['b', 'a'], count: 3, done: false },
      'bvxTWczXHSLN1vQu83aewA2rr2qfSM2LWQZMSTTry00',
    ],
    [
      'nested objects, empty ones and non-ASCII text',
      {
        requestId: 'x',
        document: { title: 'T', content: { z: [1, { y: null, x: 'é' }], a: {} } },
        list: [],
      },
      'RB3eernCyeKaNgQp_n14dDq5WE03DBgVNilaIs3D0Z8',
    ],
    [
      'numbers that JSON cannot hold, bigints, undefined and null',
      {
        n: NaN,
        p: Infinity,
        m: -Infinity,
        z: -0,
        big: 12345678901234567890n,
        f: 0.1,
        e: 1e21,
        u: undefined,
        nul: null,
        arr: [undefined, null, 1],
      },
      'rlYFtIeY6IorQkxCQGL8d6hGbl_2NilmjgNEpTDIKzw',
    ],
    [
      'bytes and dates',
      {
        chunk: Buffer.from([0, 1, 2, 255]),
        raw: new Uint8Array([9, 8, 7]),
        at: new Date('2026-12-01T12:34:56.789Z'),
      },
      '92k3M1-U-Foa2fTreGibtCW7VV9W3zc89b_1pI9v2_A',
    ],
    [
      'keys sorted by UTF-16 code unit, escaped as JSON',
      { Z: 1, a: 2, é: 3, '\u{1F600}': 4, 'b"q': 5, '\u0001': 6, '10': 7, '9': 8, '': 9, _: 10 },
      'fACk6WyDxqHan-j5fHGeJaiahlPartWD95OBXTHuIM8',
    ],
    [
      'a decoded RecordInteractionRequest',
      {
        requestId: '0192f0c4-8d7e-7abc-9def-0123456789ab',
        interaction: {
          id: '',
          userId: '',
          module: 1,
          provider: 'openai',
          requestModel: 'gpt-4o',
          responseModel: '',
          operation: 1,
          prompt: 'hello',
          response: '',
          promptCaptured: false,
          promptLength: 0,
          responseLength: 0,
          promptSha256: '',
          responseSha256: '',
          inputTokens: 10,
          outputTokens: 20,
          cachedInputTokens: 0,
          reasoningTokens: 0,
          totalTokens: 0,
          cost: undefined,
          computedCost: undefined,
          reportedCost: { amount: '0.0125', currencyCode: 'USD' },
          unpriced: false,
          priceId: '',
          latencyMs: 300,
          timeToFirstTokenMs: undefined,
          status: 0,
          errorMessage: '',
          conversationId: '',
          traceId: '',
          metadata: { team: 'x', n: 1 },
          startTime: new Date('2026-12-01T00:00:00Z'),
          createTime: undefined,
        },
      },
      'HU9_-R5827oAFauwmGoex_nyOJF6mCgoRcnm8TP0yrk',
    ],
    [
      'a sparse array, a class instance and a Map',
      { sparse, point: new Point(1, 2), map: new Map([['a', 1]]) },
      'P5q_a3YjYlWcWDrDi0sIgc9xl2YoW25MUS6MHCtONxQ',
    ],
  ];

  it.each(pinned)('is unchanged for %s', (_name, request, fingerprint) => {
    expect(requestFingerprint(request)).toBe(fingerprint);
  });

  it('is unchanged for objects of many shapes, however they alternate', () => {
    // More shapes than are remembered per first key, then more first keys than are remembered.
    expect(
      requestFingerprint({
        id: 1,
        items: [
          { id: 2, b: 1 },
          { id: 3, c: 1 },
          { id: 4, b: 2 },
          { id: 5, a: 0, z: [] },
          { id: 6, y: 1 },
          { id: 7, x: 1 },
          { id: 8, b: 3 },
        ],
      }),
    ).toBe('2-WAe-uLKpM30Yxdxijxge_7g09cURAlr_FSmF7b-4c');
    for (let n = 0; n < 300; n++) requestFingerprint({ [`k${n}`]: n, a: n });
    for (const [, request, fingerprint] of pinned) {
      expect(requestFingerprint(request)).toBe(fingerprint);
    }
  });
});
