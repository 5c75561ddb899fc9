import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { grpcError, refusedWriteLog, signTestToken } from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

let content: ContentHarness;

beforeAll(async () => {
  // Logging on at error level (tests run silent), so the log can be scanned.
  content = await startContent({ LOG_LEVEL: 'error' });
});

afterAll(async () => {
  await content.stop();
});

const person = () => {
  const userId = uuidv7();
  return { userId, token: signTestToken({ role: 'user', userId }) };
};
const docs = () => content.client.documents;

const create = (token: string, fields: Partial<contentV1.Document>) =>
  docs().createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: `Plan ${uuidv7().slice(-8)}`,
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
        ...fields,
      }),
      requestId: '',
      versionNote: '',
    },
    { token },
  );

const ownDocuments = async (token: string) =>
  (await docs().listDocuments(contentV1.ListDocumentsRequest.fromPartial({}), { token })).documents;

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < depth; level += 1) value = { level: value };
  return value;
}

/** A Timestamp written by hand: the generated client only takes a Date, which hides nanos. */
const rawTimestamp = (seconds: bigint, nanos: number) =>
  new BinaryWriter().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();

/** Calls `path` with `fields` (field number -> encoded Timestamp) as the whole request. */
async function callWithTimestamps(
  path: string,
  fields: Record<number, Uint8Array>,
  token: string,
): Promise<{ code: status; details: string }> {
  const writer = new BinaryWriter();
  for (const [number, bytes] of Object.entries(fields))
    writer.uint32((Number(number) << 3) | 2).bytes(bytes);
  const client = new Client(`127.0.0.1:${content.service.grpcPort}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from(writer.finish()),
        metadata,
        (error: ServiceError | null) =>
          resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' }),
      );
    });
  } finally {
    client.close();
  }
}

describe('CreateDocument content (JSON stored as jsonb)', () => {
  it.each([
    ['a NUL in a key', { 'a\u0000b': 1 }, 'document.content["a\\u0000b"]'],
    [
      'a NUL in a key three levels down',
      { blocks: [{ attrs: { 'x\u0000': true } }] },
      'document.content.blocks[0].attrs["x\\u0000"]',
    ],
    [
      'a NUL in a nested value',
      { blocks: [{ text: 'a\u0000' }] },
      'document.content.blocks[0].text',
    ],
    ['NaN', { width: Number.NaN }, 'document.content["width"]'],
    [
      '-Infinity in a list',
      { cells: [1, Number.NEGATIVE_INFINITY] },
      'document.content["cells"][1]',
    ],
    // Deeper than the decoder's own limit: refused as an undecodable request.
    ['33 levels of nesting', nested(33), expect.stringMatching(/^(request|document\.content\[)/)],
  ])(
    'refuses %s with INVALID_ARGUMENT naming the spot, and writes nothing',
    async (_, value, field) => {
      const me = person();
      const error = await grpcError(create(me.token, { content: value }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.fields).toEqual([field]);
      expect(await ownDocuments(me.token)).toEqual([]);
    },
  );

  it('stores 32 levels of nesting, unicode keys and finite numbers as given', async () => {
    const me = person();
    const value = { deep: nested(31), 'ключ 😀': [0.5, -1e300, 'текст', '\\u0000'] };
    const document = await create(me.token, { content: value });
    expect(document.content).toEqual(value);
    expect((await ownDocuments(me.token)).map((d) => d.id)).toEqual([document.id]);
  });
});

describe('list filters on time', () => {
  const beforeYear1 = new Date('-000001-06-01T00:00:00Z');
  const afterYear9999 = new Date('+010000-01-01T00:00:01Z');

  it.each<[string, Partial<contentV1.ListDocumentsRequest>]>([
    ['update_time_after', { updateTimeAfter: beforeYear1 }],
    ['update_time_before', { updateTimeBefore: afterYear9999 }],
  ])('ListDocuments refuses %s out of range, naming it', async (field, request) => {
    const error = await grpcError(
      docs().listDocuments(contentV1.ListDocumentsRequest.fromPartial(request), {
        token: person().token,
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([field]);
  });

  it.each<[string, Partial<contentV1.ListFilesRequest>]>([
    ['create_time_after', { createTimeAfter: beforeYear1 }],
    ['create_time_before', { createTimeBefore: afterYear9999 }],
  ])('ListFiles refuses %s out of range, naming it', async (field, request) => {
    const error = await grpcError(
      content.client.files.listFiles(contentV1.ListFilesRequest.fromPartial(request), {
        token: person().token,
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([field]);
  });

  it('refuses nanos out of range on the wire and accepts both ends of the range', async () => {
    const { token } = person();
    const documents = '/nexus.content.v1.DocumentService/ListDocuments';
    const files = '/nexus.content.v1.FileService/ListFiles';
    const overflow = await callWithTimestamps(
      documents,
      { 7: rawTimestamp(1_700_000_000n, 2_000_000_000) },
      token,
    );
    expect(overflow.code).toBe(status.INVALID_ARGUMENT);
    expect(overflow.details).toContain('update_time_after');
    const negative = await callWithTimestamps(files, { 9: rawTimestamp(0n, -1) }, token);
    expect(negative.code).toBe(status.INVALID_ARGUMENT);
    expect(negative.details).toContain('create_time_before');
    const first = rawTimestamp(-62_135_596_800n, 0);
    const last = rawTimestamp(253_402_300_799n, 999_999_999);
    expect((await callWithTimestamps(documents, { 7: first, 8: last }, token)).code).toBe(
      status.OK,
    );
    expect((await callWithTimestamps(files, { 8: first, 9: last }, token)).code).toBe(status.OK);
    expect(
      (await callWithTimestamps(files, { 8: rawTimestamp(-62_135_596_801n, 0) }, token)).code,
    ).toBe(status.INVALID_ARGUMENT);
  });
});

describe('a write the database refuses', () => {
  it('answers INTERNAL and logs none of the request, nor the token', async () => {
    const me = person();
    const title = `refuse-${uuidv7()}`;
    const secret = `secret paragraph ${uuidv7()}`;
    const { result, unexpectedErrors, leaked } = await refusedWriteLog(
      { schema: 'content', table: 'documents', column: 'title', prefix: 'refuse-' },
      () => grpcError(create(me.token, { title, content: { blocks: [secret] } })),
      [title, secret, me.token],
    );
    expect(result.code).toBe(status.INTERNAL);
    expect({ unexpectedErrors, leaked }).toEqual({ unexpectedErrors: 1, leaked: [] });
    expect(await ownDocuments(me.token)).toEqual([]);
  });
});
