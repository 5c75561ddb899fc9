import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { grpcError, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;

beforeAll(async () => {
  comms = await startComms();
}, 120_000);

afterAll(async () => {
  await comms.stop();
});

const { MailboxRole } = commsV1;

/** A word no other test writes (letters only, so it is one plain word). */
const uniqueWord = () => `zq${randomBytes(5).toString('hex').replace(/\d/g, 'x')}`;

/** The tag of a test user: the second word of their full name ("User <tag>"). */
const tagOf = (user: TestUser) => user.user.fullName.split(' ')[1];

const draft = (user: TestUser, fields: Partial<commsV1.Email>) =>
  comms.email.createDraft(
    { email: commsV1.Email.fromPartial({ subject: '', bodyText: '', ...fields }), requestId: '' },
    as(user),
  );

async function send(user: TestUser, fields: Partial<commsV1.Email>) {
  const created = await draft(user, fields);
  return comms.email.sendEmail({ id: created.id, etag: created.etag }, as(user));
}

function search(user: TestUser, query: string, more: Partial<commsV1.SearchEmailsRequest> = {}) {
  return comms.email.searchEmails(
    commsV1.SearchEmailsRequest.fromPartial({ query, ...more }),
    as(user),
  );
}

const subjects = (response: commsV1.SearchEmailsResponse) =>
  response.results.map((result) => result.email!.subject);

describe('SearchEmails', () => {
  it('ranks subject over correspondents over body, stems, and highlights escaped snippets', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    await send(alice, {
      to: ['someone@example.org'],
      subject: 'in the body',
      bodyText: `Planning ${w} <b>now</b> & later`,
    });
    await send(alice, { to: [`${w}@example.org`], subject: 'to the address', bodyText: 'hi' });
    await send(alice, {
      to: ['someone@example.org'],
      subject: `${w} in the subject`,
      bodyText: 'hi',
    });
    await draft(alice, { subject: 'unrelated', bodyText: 'nothing here' });

    const found = await search(alice, `${w} `);
    expect(subjects(found)).toEqual([`${w} in the subject`, 'to the address', 'in the body']);
    expect(found.results[2].snippet).toBe(
      `Planning <mark>${w}</mark> &lt;b&gt;now&lt;/b&gt; &amp; later`,
    );
    expect(found.results[0].email!.ownerId).toBe(alice.user.id);
    expect(found.approximate).toBe(false);
    expect(subjects(await search(alice, `${w} plans `))).toEqual(['in the body']);
  });

  it('finds the sender and the recipients by name and address, and no bcc recipient it hides', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const w = uniqueWord();
    await send(alice, {
      to: [bob.user.id],
      cc: [`partner@${w}.example`],
      bcc: [carol.user.id],
      subject: 'who is who',
      bodyText: 'hi',
    });

    for (const query of [
      `${tagOf(bob)} `,
      `${bob.user.email} `,
      `"User ${tagOf(carol)}" `,
      `partner@${w}.example `,
      `partner ${w}.example `,
    ]) {
      expect([query, subjects(await search(alice, query))]).toEqual([query, ['who is who']]);
    }
    // Bob's copy: from Alice, to him and the partner; Carol's bcc is not in it.
    expect(subjects(await search(bob, `${tagOf(alice)} `))).toEqual(['who is who']);
    expect(subjects(await search(bob, `${alice.user.email} `))).toEqual(['who is who']);
    expect(subjects(await search(bob, `${tagOf(carol)} `))).toEqual([]);
    // Carol's copy shows her own bcc entry.
    expect(subjects(await search(carol, `${tagOf(carol)} ${tagOf(alice)} `))).toEqual([
      'who is who',
    ]);
  });

  it('matches phrases, exclusions, OR and the prefix of the last word', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    await draft(alice, { subject: 'a', bodyText: `${w} the release notes are ready` });
    await draft(alice, { subject: 'b', bodyText: `${w} notes about the release` });
    await draft(alice, { subject: 'c', bodyText: `${w} draft forecast` });

    expect(subjects(await search(alice, `${w} "release notes" `))).toEqual(['a']);
    expect(subjects(await search(alice, `${w} release -ready `))).toEqual(['b']);
    expect(subjects(await search(alice, `${w} ready OR forecast `)).sort()).toEqual(['a', 'c']);
    expect(subjects(await search(alice, `${w} forec`))).toEqual(['c']);
    expect(subjects(await search(alice, `${w} fo`))).toEqual([]);
  });

  it('searches every mailbox but the trash unless asked, and filters by time and attachments', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const w = uniqueWord();
    const start = new Date();
    await send(bob, { to: [alice.user.id], subject: `${w} received`, attachmentIds: [uuidv7()] });
    await send(alice, { to: ['x@example.org'], subject: `${w} sent` });
    await draft(alice, { subject: `${w} draft` });
    const binned = await draft(alice, { subject: `${w} binned` });
    await comms.email.moveToTrash({ id: binned.id, etag: binned.etag }, as(alice));
    const end = new Date();

    const all = await search(alice, `${w} `, { includeTotalSize: true });
    expect(subjects(all)).toEqual([`${w} draft`, `${w} sent`, `${w} received`]);
    expect(all.totalSize).toBe(3);
    const inMailbox = async (mailbox: commsV1.MailboxRole) =>
      subjects(await search(alice, `${w} `, { mailbox }));
    expect(await inMailbox(MailboxRole.MAILBOX_ROLE_TRASH)).toEqual([`${w} binned`]);
    expect(await inMailbox(MailboxRole.MAILBOX_ROLE_INBOX)).toEqual([`${w} received`]);
    expect(await inMailbox(MailboxRole.MAILBOX_ROLE_SENT)).toEqual([`${w} sent`]);
    expect(await inMailbox(MailboxRole.MAILBOX_ROLE_DRAFTS)).toEqual([`${w} draft`]);
    expect(subjects(await search(alice, `${w} `, { hasAttachment: true }))).toEqual([
      `${w} received`,
    ]);
    expect(subjects(await search(alice, `${w} `, { endTime: start }))).toEqual([]);
    expect(subjects(await search(alice, `${w} `, { startTime: end }))).toEqual([]);
    expect(subjects(await search(alice, `${w} `, { startTime: start, endTime: end }))).toHaveLength(
      3,
    );
  });

  it('pages newest first among equal ranks, with a token bound to the query and filters', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    for (let i = 0; i < 5; i += 1) await draft(alice, { subject: `${w} number ${i}` });

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await search(alice, `${w} `, { pageSize: 2, pageToken });
      expect(page.results.length).toBeLessThanOrEqual(2);
      seen.push(...subjects(page));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${w} number ${i}`));

    const first = await search(alice, `${w} `, { pageSize: 2 });
    for (const other of [
      () => search(alice, `${w} number `, { pageSize: 2, pageToken: first.nextPageToken }),
      () =>
        search(alice, `${w} `, {
          pageSize: 2,
          pageToken: first.nextPageToken,
          mailbox: MailboxRole.MAILBOX_ROLE_DRAFTS,
        }),
    ]) {
      const replayed = await grpcError(other());
      expect(replayed.code).toBe(status.INVALID_ARGUMENT);
      expect(replayed.details).toContain('page_token');
    }
  });

  it("finds nothing of another user's mailbox, for a recipient, a stranger or an admin", async () => {
    const [alice, bob, eve] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const w = uniqueWord();
    await draft(alice, { to: [bob.user.id], subject: `${w} private draft` });
    await send(alice, { to: ['x@example.org'], subject: `${w} sent outside` });

    expect(subjects(await search(alice, `${w} `))).toHaveLength(2);
    for (const other of [bob, eve, comms.users.admin]) {
      for (const mailbox of [0, MailboxRole.MAILBOX_ROLE_SENT, MailboxRole.MAILBOX_ROLE_DRAFTS]) {
        const found = await search(other, `${w} `, { mailbox, includeTotalSize: true });
        expect(found.results).toEqual([]);
        expect(found.totalSize).toBe(0);
      }
      // Nor by similarity: the typo fallback runs on the caller's own mail too.
      expect((await search(other, `${w}x private `)).results).toEqual([]);
    }
  });

  it('falls back to subjects of close spelling when nothing matches exactly, and says so', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    await draft(alice, { subject: `Reconciliation ${w}`, bodyText: 'numbers' });

    const close = await search(alice, 'reconciliaton ');
    expect(close.approximate).toBe(true);
    expect(subjects(close)).toEqual([`Reconciliation ${w}`]);
    const exact = await search(alice, 'reconciliation ');
    expect(exact.approximate).toBe(false);
    expect(subjects(exact)).toEqual([`Reconciliation ${w}`]);
  });

  it('refuses queries with nothing to search for and time ranges that end first', async () => {
    const alice = await comms.signUp();
    for (const query of ['', '  OR  ', '-draft', '"', 'a'.repeat(501)]) {
      const error = await grpcError(search(alice, query));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain('query');
    }
    const now = new Date();
    const backwards = await grpcError(search(alice, 'plan', { startTime: now, endTime: now }));
    expect(backwards.code).toBe(status.INVALID_ARGUMENT);
    expect(backwards.details).toContain('end_time');
  });
});
