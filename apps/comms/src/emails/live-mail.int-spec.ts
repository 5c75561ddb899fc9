import { credentials, status } from '@grpc/grpc-js';
import { commsV1 } from '@nexus/proto';
import { WatchReader, bearer, eventually, grpcError, type TestUser } from '@nexus/testing';
import type { PlatformEvent } from '@nexus/events';
import { MailboxStore } from '../mailboxes/mailbox.store';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';
import { MailboxSnapshots } from './mailbox-snapshots';

type Item = commsV1.WatchMailboxResponse;

let comms: CommsHarness;
let client: commsV1.EmailServiceClient;
const open: WatchReader<Item>[] = [];

beforeAll(async () => {
  comms = await startComms();
  client = new commsV1.EmailServiceClient(
    `127.0.0.1:${comms.service.grpcPort}`,
    credentials.createInsecure(),
  );
}, 120_000);

afterAll(async () => {
  for (const reader of open) reader.cancel();
  client.close();
  await comms.stop();
});

const { MailboxRole } = commsV1;

/** A user whose role mailboxes exist (so their creation is not a change the tests see). */
async function signUp(): Promise<{ user: TestUser; box: Record<string, string> }> {
  const user = await comms.signUp();
  const { mailboxes } = await comms.email.listMailboxes({}, as(user));
  const box = Object.fromEntries(mailboxes.map((m) => [MailboxRole[m.role], m.id]));
  return { user, box };
}

/** Opens WatchMailbox; resolves once it has caught up (its first item). */
async function watch(
  user: TestUser,
  request: Partial<commsV1.WatchMailboxRequest> = {},
): Promise<WatchReader<Item>> {
  const reader = new WatchReader<Item>(
    client.watchMailbox(commsV1.WatchMailboxRequest.fromPartial(request), bearer(user.token)),
  );
  open.push(reader);
  return reader;
}

async function caughtUp(reader: WatchReader<Item>): Promise<Item> {
  const [first] = await reader.take(1);
  expect(first.verb).toBe('caught_up');
  return first;
}

/** The changes (not caught_up) a stream has sent, once `done` accepts them. */
async function changes(
  reader: WatchReader<Item>,
  done: (items: Item[]) => boolean,
): Promise<Item[]> {
  // A user's role mailboxes are made on first use (or by the user.created
  // consumer): their creation may reach a stream opened just after.
  const seen = () =>
    reader.items.filter(
      (item) => item.verb !== 'caught_up' && !(mailboxOf(item)?.role && item.verb === 'created'),
    );
  return eventually(async () => seen(), done, 20_000);
}

function emailOf(item: Item): commsV1.Email | undefined {
  return item.resource?.$case === 'email' ? item.resource.value : undefined;
}

function mailboxOf(item: Item): commsV1.Mailbox | undefined {
  return item.resource?.$case === 'mailbox' ? item.resource.value : undefined;
}

function counts(item: Item): Record<string, [number, number]> {
  return Object.fromEntries(item.mailboxes.map((m) => [m.id, [m.totalCount, m.unreadCount]]));
}

async function send(sender: TestUser, to: string[], subject: string): Promise<commsV1.Email> {
  const draft = await comms.email.createDraft(
    { email: commsV1.Email.fromPartial({ to, subject, bodyText: 'Hello' }), requestId: '' },
    as(sender),
  );
  return comms.email.sendEmail({ id: draft.id, etag: draft.etag }, as(sender));
}

/** Bob's received copy of a message, by subject. */
async function received(user: TestUser, subject: string): Promise<commsV1.Email> {
  const { emails } = await comms.email.listEmails(
    commsV1.ListEmailsRequest.fromPartial({}),
    as(user),
  );
  const found = emails.find((email) => email.subject === subject);
  if (!found) throw new Error(`no copy of ${subject}`);
  return found;
}

describe('WatchMailbox', () => {
  it("sends B's new mail, read/unread, moves, keywords, trash and erasure with the mailboxes' counts, and nothing to C", async () => {
    const alice = (await signUp()).user;
    const { user: bob, box } = await signUp();
    const carol = (await signUp()).user;
    const bobs = await watch(bob);
    const carols = await watch(carol);
    await caughtUp(bobs);
    await caughtUp(carols);

    await send(alice, [bob.user.id], 'Plan');
    const [created] = await changes(bobs, (items) => items.length >= 1);
    const copy = emailOf(created)!;
    expect(created.verb).toBe('created');
    expect(created.cursor).not.toBe('');
    expect(created.actorId).toBe(alice.user.id);
    expect(copy).toMatchObject({ ownerId: bob.user.id, subject: 'Plan', read: false });
    expect(counts(created)).toEqual({ [box.MAILBOX_ROLE_INBOX]: [1, 1] });
    // What the stream sent is what GetEmail gives (but for the etag-free sender flag).
    expect(await comms.email.getEmail({ id: copy.id }, as(bob))).toMatchObject({
      id: copy.id,
      etag: copy.etag,
    });

    await comms.email.markRead({ id: copy.id }, as(bob));
    await comms.email.updateEmail(
      {
        email: commsV1.Email.fromPartial({ id: copy.id, mailboxIds: [box.MAILBOX_ROLE_ARCHIVE] }),
        updateMask: ['mailbox_ids'],
      },
      as(bob),
    );
    await comms.email.markUnread({ id: copy.id }, as(bob));
    await comms.email.setEmailKeywords(
      { id: copy.id, add: ['$flagged'], remove: [], etag: '' },
      as(bob),
    );
    await comms.email.moveToTrash({ id: copy.id, etag: '' }, as(bob));
    await comms.email.deleteForever({ id: copy.id, etag: '' }, as(bob));

    const all = await changes(bobs, (items) => items.length >= 7);
    expect(all.map((item) => item.verb)).toEqual([
      'created',
      'updated',
      'updated',
      'updated',
      'updated',
      'deleted',
      'destroyed',
    ]);
    const [, read, moved, unread, flagged, trashed, erased] = all;
    expect(emailOf(read)!.read).toBe(true);
    expect(emailOf(moved)!.mailboxIds).toEqual([box.MAILBOX_ROLE_ARCHIVE]);
    // The copy left the inbox and entered the archive: both counted again.
    expect(counts(moved)).toMatchObject({
      [box.MAILBOX_ROLE_INBOX]: [0, 0],
      [box.MAILBOX_ROLE_ARCHIVE]: [expect.any(Number), expect.any(Number)],
    });
    expect(emailOf(unread)!.read).toBe(false);
    expect(emailOf(flagged)!.keywords).toContain('$flagged');
    expect(emailOf(trashed)!.mailboxIds).toEqual([box.MAILBOX_ROLE_TRASH]);
    expect(emailOf(erased)!.id).toBe(copy.id);
    expect(Object.keys(counts(erased))).toEqual([box.MAILBOX_ROLE_TRASH]);
    // Cursors grow with every change.
    const positions = all.map((item) => Buffer.from(item.cursor, 'base64url').toString());
    expect(new Set(positions).size).toBe(positions.length);

    // The feed gave Carol's listener every one of those events before Bob's last item.
    expect(carols.items.map((item) => item.verb)).toEqual(['caught_up']);
    expect(carols.isOpen).toBe(true);
  });

  it('resumes after a cursor with exactly the changes missed, then goes on live', async () => {
    const alice = (await signUp()).user;
    const { user: bob } = await signUp();
    const first = await watch(bob);
    const { cursor } = await caughtUp(first);
    first.cancel();

    await send(alice, [bob.user.id], 'One');
    await send(alice, [bob.user.id], 'Two');
    const one = await received(bob, 'One');
    await comms.email.markRead({ id: one.id }, as(bob));

    const resumed = await watch(bob, { cursor });
    const missed = await changes(resumed, (items) => items.length >= 3);
    expect(missed.map((item) => [item.verb, emailOf(item)?.subject])).toEqual([
      ['created', 'One'],
      ['created', 'Two'],
      ['updated', 'One'],
    ]);
    // Then live, with nothing sent twice.
    await send(alice, [bob.user.id], 'Three');
    const later = await changes(resumed, (items) => items.length >= 4);
    expect(later.map((item) => emailOf(item)?.subject)).toEqual(['One', 'Two', 'One', 'Three']);
    expect(resumed.items.filter((item) => item.verb === 'caught_up')).toHaveLength(1);
  });

  it('with mailbox_id, sends only that mailbox and its copies; its deletion ends the stream', async () => {
    const alice = (await signUp()).user;
    const { user: bob, box } = await signUp();
    const everything = await watch(bob);
    await caughtUp(everything);
    const folder = await comms.email.createMailbox(
      { mailbox: commsV1.Mailbox.fromPartial({ name: 'Projects' }), requestId: '' },
      as(bob),
    );
    // Opened once the folder's creation went by, so it is not one of its changes.
    await changes(everything, (items) => items.length >= 1);
    const projects = await watch(bob, { mailboxId: folder.id });
    await caughtUp(projects);

    await send(alice, [bob.user.id], 'Filed');
    await send(alice, [bob.user.id], 'Not filed');
    const filed = await received(bob, 'Filed');
    await comms.email.addToMailbox({ id: filed.id, mailboxId: folder.id }, as(bob));
    await comms.email.updateMailbox(
      {
        mailbox: commsV1.Mailbox.fromPartial({ id: folder.id, name: 'Projects 2026' }),
        updateMask: ['name'],
      },
      as(bob),
    );
    await changes(everything, (items) => items.length >= 5);
    const seen = await changes(projects, (items) => items.length >= 2);
    expect(seen).toHaveLength(2);
    const [added, renamed] = seen;
    expect(emailOf(added)).toMatchObject({ subject: 'Filed' });
    expect(emailOf(added)!.mailboxIds.sort()).toEqual([box.MAILBOX_ROLE_INBOX, folder.id].sort());
    // Only the watched mailbox's counts.
    expect(counts(added)).toEqual({ [folder.id]: [1, 1] });
    expect(renamed.verb).toBe('updated');
    expect(mailboxOf(renamed)).toMatchObject({ name: 'Projects 2026', totalCount: 1 });

    await comms.email.deleteMailbox({ id: folder.id, etag: '', removeEmails: true }, as(bob));
    const ended = await projects.error();
    expect(ended.code).toBe(status.NOT_FOUND);
    expect(everything.isOpen).toBe(true);
  });

  it("refuses another user's mailbox (NOT_FOUND), a bad cursor and no token", async () => {
    const { box } = await signUp();
    const { user: carol } = await signUp();
    const stranger = await watch(carol, { mailboxId: box.MAILBOX_ROLE_INBOX });
    expect((await stranger.error()).code).toBe(status.NOT_FOUND);

    const bad = await watch(carol, { cursor: 'not-a-cursor' });
    expect(await bad.error()).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['cursor'],
    });

    const anonymous = new WatchReader<Item>(client.watchMailbox({ cursor: '', mailboxId: '' }));
    open.push(anonymous);
    expect((await anonymous.error()).code).toBe(status.UNAUTHENTICATED);
  });
});

describe('GetEmailChanges', () => {
  it('gives the ids created, updated and destroyed since a state, in pages', async () => {
    const alice = (await signUp()).user;
    const { user: bob } = await signUp();
    // A WatchMailbox cursor is a state: the one of the item of Bob's "Before".
    const stream = await watch(bob);
    await caughtUp(stream);
    await send(alice, [bob.user.id], 'Before');
    const [logged] = await changes(stream, (items) => items.length >= 1);
    stream.cancel();
    const before = emailOf(logged)!;
    const since = logged.cursor;
    const empty = await comms.email.getEmailChanges({ sinceState: since, maxChanges: 0 }, as(bob));
    expect(empty).toMatchObject({ oldState: since, created: [], updated: [], destroyed: [] });

    await send(alice, [bob.user.id], 'Kept');
    await send(alice, [bob.user.id], 'Read');
    await send(alice, [bob.user.id], 'Erased');
    const [kept, read, erased] = await Promise.all(
      ['Kept', 'Read', 'Erased'].map((subject) => received(bob, subject)),
    );
    await comms.email.markRead({ id: read.id }, as(bob));
    await comms.email.deleteForever({ id: erased.id, etag: '' }, as(bob));
    await comms.email.markRead({ id: before.id }, as(bob));
    // Alice's own copies are hers: never in Bob's changes.

    const whole = await eventually(
      () => comms.email.getEmailChanges({ sinceState: since, maxChanges: 0 }, as(bob)),
      (answer) => answer.updated.length === 1 && answer.destroyed.length === 1,
    );
    expect(whole).toMatchObject({
      oldState: since,
      hasMoreChanges: false,
      created: [kept.id, read.id],
      updated: [before.id],
      destroyed: [erased.id],
    });

    // One id a page: the same ids, each page saying whether more follow.
    const paged = { created: [] as string[], updated: [] as string[], destroyed: [] as string[] };
    let state = since;
    for (let page = 0; page < 10; page += 1) {
      const answer = await comms.email.getEmailChanges(
        { sinceState: state, maxChanges: 1 },
        as(bob),
      );
      const ids = [...answer.created, ...answer.updated, ...answer.destroyed];
      expect(ids.length).toBeLessThanOrEqual(1);
      paged.created.push(...answer.created);
      paged.updated.push(...answer.updated);
      paged.destroyed.push(...answer.destroyed);
      state = answer.newState;
      if (!answer.hasMoreChanges) break;
      expect(ids).toHaveLength(1);
    }
    // A page ends before the erasure of a copy it listed as created: the
    // pages together may list an id twice (created, then destroyed), as JMAP allows.
    expect(new Set(paged.created)).toEqual(new Set([kept.id, read.id, erased.id]));
    expect(paged.updated).toEqual(expect.arrayContaining([before.id]));
    expect(paged.destroyed).toEqual([erased.id]);

    // Nothing since the newest state.
    expect(
      await comms.email.getEmailChanges({ sinceState: whole.newState, maxChanges: 0 }, as(bob)),
    ).toMatchObject({ created: [], updated: [], destroyed: [], hasMoreChanges: false });
  });

  it('refuses a state it did not give (INVALID_ARGUMENT) and one too old or unknown (CURSOR_EXPIRED)', async () => {
    const { user: bob } = await signUp();
    const state = (s: string) => Buffer.from(s).toString('base64url');
    const call = (sinceState: string, maxChanges = 0) =>
      grpcError(comms.email.getEmailChanges({ sinceState, maxChanges }, as(bob)));

    expect(await call('garbage')).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['since_state'],
    });
    expect(await call(state('work:1'))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['since_state'],
    });
    expect(await call('', 5001)).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['max_changes'],
    });
    expect(await call(state('comms:999999999999'))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'CURSOR_EXPIRED',
    });

    // Retention pruned the log past a state: the client must list again.
    const { newState } = await comms.email.getEmailChanges(
      { sinceState: '', maxChanges: 0 },
      as(bob),
    );
    const position = Number(Buffer.from(newState, 'base64url').toString().split(':')[1]);
    expect(position).toBeGreaterThan(3);
    await comms.service.runtime.dataSource.query(
      `DELETE FROM "comms"."change_log" WHERE position < $1`,
      [position - 1],
    );
    expect(await call(state(`comms:${position - 3}`))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'CURSOR_EXPIRED',
    });
    // The state just before the oldest entry kept still works.
    const kept = await comms.email.getEmailChanges(
      { sinceState: state(`comms:${position - 2}`), maxChanges: 0 },
      as(bob),
    );
    expect(kept.hasMoreChanges).toBe(false);
  });
});

describe('MailboxSnapshots', () => {
  /** An email change moving a copy between mailboxes, as the feed delivers it. */
  const move = (id: string, from: string[], to: string[]): PlatformEvent => ({
    id,
    type: 'nexus.comms.email.updated',
    source: 'comms',
    subject: id,
    time: new Date(),
    topic: 'nexus.comms.email',
    partition: 0,
    offset: '0',
    data: { before: { mailboxIds: from }, after: { mailboxIds: to }, changed: [], actor: null },
  });

  it('reads each change once for every stream, and the changes delivered together in one batch', async () => {
    const { user: bob, box } = await signUp();
    await send((await signUp()).user, [bob.user.id], 'Counted');
    const { dataSource, pageTokens } = comms.service.runtime;
    const snapshots = new MailboxSnapshots(new MailboxStore(dataSource, pageTokens));
    const inbox = box.MAILBOX_ROLE_INBOX;
    const archive = box.MAILBOX_ROLE_ARCHIVE;

    // Three streams ask for two changes delivered together: one read.
    const first = move('e1', [inbox], [archive]);
    const second = move('e2', [archive], [inbox]);
    const answers = await Promise.all([
      snapshots.of(first),
      snapshots.of(second),
      snapshots.of(first),
      snapshots.of(second),
      snapshots.of(first),
    ]);
    expect(snapshots.reads).toBe(1);
    expect(answers[0].get(inbox)).toMatchObject({ id: inbox, totalCount: 1, unreadCount: 1 });
    expect(answers[1].get(archive)).toMatchObject({ id: archive, totalCount: 0 });
    // Asked again later (a slower stream): the same read.
    await snapshots.of(first);
    expect(snapshots.reads).toBe(1);
    // A later change is read afresh.
    await snapshots.of(move('e3', [inbox], [archive]));
    expect(snapshots.reads).toBe(2);
  });
});
