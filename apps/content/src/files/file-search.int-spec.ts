import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { grpcError, signTestToken } from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';
import { FILE_TEXT_BYTES } from './file-text';

let content: ContentHarness;

beforeAll(async () => {
  content = await startContent({ LOG_LEVEL: 'error' });
}, 120_000);

afterAll(async () => {
  await content?.stop();
});

type Person = { userId: string; token: string };
const person = (role: 'user' | 'admin' | 'guest' = 'user'): Person => {
  const userId = uuidv7();
  return { userId, token: signTestToken({ role, userId }) };
};
const files = () => content.client.files;

/** A word no other test writes, so each test searches only its own files. */
const uniqueWord = () => `zq${randomBytes(5).toString('hex').replace(/\d/g, 'x')}`;

function upload(
  owner: Person,
  name: string,
  bytes: Buffer | string,
  metadata: Partial<contentV1.UploadFileMetadata> = {},
): Promise<contentV1.File> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += 10_000) chunks.push(data.subarray(at, at + 10_000));
  return content.transfer.upload(
    owner.token,
    { name, mimeType: 'text/plain', ...metadata },
    chunks,
  );
}

function search(user: Person, query: string, more: Partial<contentV1.SearchFilesRequest> = {}) {
  return files().searchFiles(contentV1.SearchFilesRequest.fromPartial({ query, ...more }), {
    token: user.token,
  });
}

const names = (response: contentV1.SearchFilesResponse) =>
  response.results.map((result) => result.file!.name);
/** Exact matches only: with none, the search answers names close to the words (approximate). */
const exactNames = (response: contentV1.SearchFilesResponse) =>
  response.approximate ? [] : names(response);

describe('SearchFiles', () => {
  it('finds names (split at dots, dashes, underscores) above the text of text/* files', async () => {
    const alice = person();
    const w = uniqueWord();
    await upload(
      alice,
      `${w}-minutes.txt`,
      'We agreed on the budget for the harbour & the <b>pier</b>.',
    );
    await upload(alice, `${w}_budget_2027.csv`, 'item,cost\nrope,12\n');
    await upload(alice, `${w}.bin`, 'budget harbour', { mimeType: 'application/octet-stream' });

    const found = await search(alice, `${w} budget `);
    expect(names(found)).toEqual([`${w}_budget_2027.csv`, `${w}-minutes.txt`]);
    expect(found.results[1].snippet).toContain(
      'We agreed on the <mark>budget</mark> for the harbour &amp; the &lt;b',
    );
    expect(found.results[0].file!.ownerId).toBe(alice.userId);
    // Bytes of a file that is not text/* are not read.
    expect(names(await search(alice, `${w} harbour `))).toEqual([`${w}-minutes.txt`]);
    expect(names(await search(alice, `${w} bin `))).toEqual([`${w}.bin`]);
  });

  it(`reads the first ${FILE_TEXT_BYTES / 1024} KiB of a text file, as UTF-8, and nothing after`, async () => {
    const alice = person();
    const w = uniqueWord();
    const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(FILE_TEXT_BYTES / 27));
    const bytes = Buffer.concat([
      Buffer.from(`early Crème brûlée\u0000 `),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(` ${filler.slice(0, FILE_TEXT_BYTES - 40)} ünterwegs`),
      Buffer.from(` ${filler} latecomer`),
    ]);
    await upload(alice, `${w}.md`, bytes, { mimeType: 'text/markdown' });

    expect(names(await search(alice, `${w} creme brulee `))).toEqual([`${w}.md`]);
    expect(exactNames(await search(alice, `${w} latecomer `))).toEqual([]);
  });

  it('finds only what the caller could get: own, public, any for an admin', async () => {
    const [owner, other, admin, guest] = [person(), person(), person('admin'), person('guest')];
    const w = uniqueWord();
    const open = await upload(owner, `${w}-open.txt`, 'shared plan', { isPublic: true });
    await upload(owner, `${w}-private.txt`, 'secret plan');

    expect(names(await search(owner, `${w} plan `)).sort()).toEqual(
      [`${w}-open.txt`, `${w}-private.txt`].sort(),
    );
    expect(names(await search(admin, `${w} plan `))).toHaveLength(2);
    for (const user of [other, guest]) {
      const found = await search(user, `${w} plan `, { includeTotalSize: true });
      expect(names(found)).toEqual([`${w}-open.txt`]);
      expect(found.totalSize).toBe(1);
    }
    // Neither matched exactly nor by a close name: the private file stays hidden.
    expect(exactNames(await search(other, `${w} secret `))).toEqual([]);
    expect(names(await search(other, `${w} secret `))).not.toContain(`${w}-private.txt`);

    await files().updateFile(
      contentV1.UpdateFileRequest.fromPartial({
        file: { id: open.id, etag: open.etag, isPublic: false },
        updateMask: ['is_public'],
      }),
      { token: owner.token },
    );
    expect(exactNames(await search(other, `${w} plan `))).toEqual([]);
    expect(names(await search(other, `${w} plan `))).not.toContain(`${w}-open.txt`);

    await files().deleteFile({ id: open.id, etag: '' }, { token: owner.token });
    expect(names(await search(owner, `${w} plan `))).toEqual([`${w}-private.txt`]);
  });

  it('filters by owner, MIME type and time, and pages with a token bound to the query', async () => {
    const [alice, bob] = [person(), person()];
    const w = uniqueWord();
    await upload(bob, `${w}-bob.txt`, 'hello', { isPublic: true });
    const start = new Date();
    for (let i = 0; i < 5; i += 1) await upload(alice, `${w}-${i}.txt`, `${w} entry ${i}`);
    await upload(alice, `${w}.json`, '{}', { mimeType: 'application/json' });

    expect(names(await search(alice, `${w} `, { ownerId: bob.userId }))).toEqual([`${w}-bob.txt`]);
    expect(names(await search(alice, `${w} `, { mimeTypePrefix: 'Application/' }))).toEqual([
      `${w}.json`,
    ]);
    expect(names(await search(alice, `${w} `, { createTimeBefore: start }))).toEqual([
      `${w}-bob.txt`,
    ]);

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await search(alice, `${w} entry `, { pageSize: 2, pageToken });
      seen.push(...names(page));
      pageToken = page.nextPageToken;
    } while (pageToken);
    // Equal ranks: newest first.
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${w}-${i}.txt`));

    const first = await search(alice, `${w} entry `, { pageSize: 2 });
    const replayed = await grpcError(
      search(alice, `${w} entry `, {
        pageSize: 2,
        pageToken: first.nextPageToken,
        ownerId: alice.userId,
      }),
    );
    expect(replayed.code).toBe(status.INVALID_ARGUMENT);
    expect(replayed.details).toContain('page_token');
  });

  it('falls back to names close to a misspelled word, within what the caller can read', async () => {
    const [alice, bob] = [person(), person()];
    await upload(alice, 'Zanzibar-itinerary.pdf', 'x', { mimeType: 'application/pdf' });
    await upload(bob, 'Zanzibar-receipts.pdf', 'x', { mimeType: 'application/pdf' });

    const found = await search(alice, 'zanzibra ');
    expect(found.approximate).toBe(true);
    expect(names(found)).toEqual(['Zanzibar-itinerary.pdf']);
    expect(found.results[0].snippet).toBe('');
  });

  it('refuses bad requests with the field and reason', async () => {
    const alice = person();
    for (const [request, field] of [
      [{ query: '' }, 'query'],
      [{ query: '"' }, 'query'],
      [{ query: 'plan', ownerId: 'nope' }, 'owner_id'],
      [{ query: 'plan', mimeTypePrefix: 'x'.repeat(256) }, 'mime_type_prefix'],
      [
        {
          query: 'plan',
          createTimeAfter: new Date('2026-02-01'),
          createTimeBefore: new Date('2026-01-01'),
        },
        'create_time_before',
      ],
    ] as const) {
      const error = await grpcError(search(alice, request.query, request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain(field);
    }
  });
});
