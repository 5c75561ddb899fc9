import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { EventCollector, grpcError, signTestToken, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;
let events: EventCollector;

beforeAll(async () => {
  comms = await startComms();
  events = await EventCollector.start(['nexus.comms.mailbox', 'nexus.comms.email']);
}, 120_000);

afterAll(async () => {
  await events.stop();
  await comms.stop();
});

const { MailboxRole } = commsV1;

async function mailboxes(user: TestUser) {
  return (await comms.email.listMailboxes({}, as(user))).mailboxes;
}

async function role(user: TestUser, which: commsV1.MailboxRole) {
  return (await mailboxes(user)).find((box) => box.role === which)!;
}

async function folder(user: TestUser, name: string, parentId = '') {
  return comms.email.createMailbox(
    { mailbox: commsV1.Mailbox.fromPartial({ name, parentId }), requestId: '' },
    as(user),
  );
}

/** Counts of each of the user's mailboxes, by id. */
async function counts(user: TestUser) {
  return Object.fromEntries(
    (await mailboxes(user)).map((box) => [
      box.id,
      [box.totalCount, box.unreadCount, box.totalThreads, box.unreadThreads],
    ]),
  );
}

/** Sends `count` messages from `from` to `to`; returns the recipient's copies, newest first. */
async function deliver(from: TestUser, to: TestUser, count: number, subject = 'Plan') {
  for (let index = 0; index < count; index += 1) {
    const draft = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({ to: [to.user.id], subject: `${subject} ${index}` }),
        requestId: '',
      },
      as(from),
    );
    await comms.email.sendEmail({ id: draft.id, etag: '' }, as(from));
  }
  const { emails } = await comms.email.listEmails(
    commsV1.ListEmailsRequest.fromPartial({ mailbox: MailboxRole.MAILBOX_ROLE_INBOX }),
    as(to),
  );
  return emails;
}

async function listIds(user: TestUser, request: Partial<commsV1.ListEmailsRequest>) {
  const { emails } = await comms.email.listEmails(
    commsV1.ListEmailsRequest.fromPartial(request),
    as(user),
  );
  return emails.map((email) => email.id).sort();
}

describe('mailboxes', () => {
  it('gives every user the six role mailboxes, empty, before their folders', async () => {
    const ann = await comms.signUp();
    const boxes = await mailboxes(ann);
    expect(boxes.map((box) => [box.role, box.name, box.totalCount])).toEqual([
      [MailboxRole.MAILBOX_ROLE_INBOX, 'Inbox', 0],
      [MailboxRole.MAILBOX_ROLE_SENT, 'Sent', 0],
      [MailboxRole.MAILBOX_ROLE_DRAFTS, 'Drafts', 0],
      [MailboxRole.MAILBOX_ROLE_TRASH, 'Trash', 0],
      [MailboxRole.MAILBOX_ROLE_ARCHIVE, 'Archive', 0],
      [MailboxRole.MAILBOX_ROLE_JUNK, 'Junk', 0],
    ]);
    expect(new Set(boxes.map((box) => box.ownerId))).toEqual(new Set([ann.user.id]));
  });

  it('creates, nests, renames, reorders and deletes folders, one event each', async () => {
    const ann = await comms.signUp();
    const work = await folder(ann, 'Work');
    const clients = await folder(ann, 'Clients', work.id);
    const archive = await folder(ann, 'Old', work.id);
    expect(clients).toMatchObject({ parentId: work.id, role: 0, etag: '"1"', totalCount: 0 });

    const renamed = await comms.email.updateMailbox(
      {
        mailbox: commsV1.Mailbox.fromPartial({
          id: clients.id,
          etag: clients.etag,
          name: 'Customers',
          sortOrder: 5,
        }),
        updateMask: ['name', 'sort_order'],
      },
      as(ann),
    );
    expect(renamed).toMatchObject({ name: 'Customers', sortOrder: 5, etag: '"2"' });
    const stale = await grpcError(
      comms.email.updateMailbox(
        {
          mailbox: commsV1.Mailbox.fromPartial({ id: clients.id, etag: clients.etag, name: 'X' }),
          updateMask: ['name'],
        },
        as(ann),
      ),
    );
    expect(stale.code).toBe(status.ABORTED);

    // Tree order: Work, then its children by sort order (Old 0, Customers 5).
    const names = (await mailboxes(ann))
      .filter((box) => box.role === MailboxRole.MAILBOX_ROLE_UNSPECIFIED)
      .map((box) => box.name);
    expect(names).toEqual(['Work', 'Old', 'Customers']);

    // Move Old to the top level.
    const moved = await comms.email.updateMailbox(
      {
        mailbox: commsV1.Mailbox.fromPartial({ id: archive.id, parentId: '' }),
        updateMask: ['parent_id'],
      },
      as(ann),
    );
    expect(moved.parentId).toBe('');

    await comms.email.deleteMailbox(
      { id: clients.id, etag: renamed.etag, removeEmails: false },
      as(ann),
    );
    expect((await grpcError(comms.email.getMailbox({ id: clients.id }, as(ann)))).code).toBe(
      status.NOT_FOUND,
    );

    const about = await events.waitForSubject(clients.id, 3);
    expect(about.map((event) => event.type)).toEqual([
      'nexus.comms.mailbox.created',
      'nexus.comms.mailbox.updated',
      'nexus.comms.mailbox.deleted',
    ]);
    expect(about[1].data.changed).toEqual(expect.arrayContaining(['name', 'sortOrder']));
    expect(about[2].data.after).toBeNull();
    const [movedEvent] = (await events.waitForSubject(archive.id, 2)).slice(1);
    expect(movedEvent.data.changed).toContain('parentId');
  });

  it('refuses a taken sibling name, a cycle, too deep a tree, and changes to role mailboxes', async () => {
    const ann = await comms.signUp();
    const top = await folder(ann, 'Projects');
    const taken = await grpcError(folder(ann, 'projects'));
    expect(taken).toMatchObject({ code: status.ALREADY_EXISTS, fields: ['mailbox.name'] });
    // The same name under another parent is fine.
    const child = await folder(ann, 'Projects', top.id);

    const cycle = await grpcError(
      comms.email.updateMailbox(
        {
          mailbox: commsV1.Mailbox.fromPartial({ id: top.id, parentId: child.id }),
          updateMask: ['parent_id'],
        },
        as(ann),
      ),
    );
    expect(cycle).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'MAILBOX_CYCLE' });

    let parent = child;
    for (let depth = 3; depth <= 10; depth += 1) parent = await folder(ann, `L${depth}`, parent.id);
    const deep = await grpcError(folder(ann, 'L11', parent.id));
    expect(deep).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'MAILBOX_TOO_DEEP' });

    const inbox = await role(ann, MailboxRole.MAILBOX_ROLE_INBOX);
    const roleDelete = await grpcError(
      comms.email.deleteMailbox({ id: inbox.id, etag: '', removeEmails: true }, as(ann)),
    );
    expect(roleDelete).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'ROLE_MAILBOX_FIXED',
    });
    const roleNest = await grpcError(
      comms.email.updateMailbox(
        {
          mailbox: commsV1.Mailbox.fromPartial({ id: inbox.id, parentId: top.id }),
          updateMask: ['parent_id'],
        },
        as(ann),
      ),
    );
    expect(roleNest.reason).toBe('ROLE_MAILBOX_FIXED');
    const withChild = await grpcError(
      comms.email.deleteMailbox({ id: top.id, etag: '', removeEmails: true }, as(ann)),
    );
    expect(withChild).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'MAILBOX_HAS_CHILD',
    });
  });

  it('validates input field by field and writes nothing', async () => {
    const ann = await comms.signUp();
    const bad = await grpcError(
      comms.email.createMailbox(
        {
          mailbox: commsV1.Mailbox.fromPartial({ name: '  ', parentId: 'nope', sortOrder: -1 }),
          requestId: '',
        },
        as(ann),
      ),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.fields.sort()).toEqual(['mailbox.name', 'mailbox.parent_id', 'mailbox.sort_order']);
    expect(await mailboxes(ann)).toHaveLength(6);
    const guest = signTestToken({ role: 'guest' });
    const refused = await grpcError(
      comms.email.createMailbox(
        { mailbox: commsV1.Mailbox.fromPartial({ name: 'Mine' }), requestId: '' },
        { token: guest },
      ),
    );
    expect(refused.code).toBe(status.PERMISSION_DENIED);
    const keyed = uuidv7();
    const first = await comms.email.createMailbox(
      { mailbox: commsV1.Mailbox.fromPartial({ name: 'Once' }), requestId: keyed },
      as(ann),
    );
    const again = await comms.email.createMailbox(
      { mailbox: commsV1.Mailbox.fromPartial({ name: 'Once' }), requestId: keyed },
      as(ann),
    );
    expect(again.id).toBe(first.id);
  });

  it("keeps another user's mailboxes NOT_FOUND everywhere", async () => {
    const [ann, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const [copy] = await deliver(ann, bob, 1);
    const annFolder = await folder(ann, 'Private');
    const annInbox = await role(ann, MailboxRole.MAILBOX_ROLE_INBOX);
    for (const id of [annFolder.id, annInbox.id]) {
      const calls = [
        () => comms.email.getMailbox({ id }, as(bob)),
        () => comms.email.addToMailbox({ id: copy.id, mailboxId: id }, as(bob)),
        () => comms.email.removeFromMailbox({ id: copy.id, mailboxId: id }, as(bob)),
        () =>
          comms.email.updateEmail(
            {
              email: commsV1.Email.fromPartial({ id: copy.id, mailboxIds: [id] }),
              updateMask: ['mailbox_ids'],
            },
            as(bob),
          ),
        () =>
          comms.email.listEmails(commsV1.ListEmailsRequest.fromPartial({ mailboxId: id }), as(bob)),
        () =>
          comms.email.updateMailbox(
            {
              mailbox: commsV1.Mailbox.fromPartial({ id, name: 'Mine' }),
              updateMask: ['name'],
            },
            as(bob),
          ),
        () => comms.email.deleteMailbox({ id, etag: '', removeEmails: true }, as(bob)),
        () => folder(bob, 'Under', id),
      ];
      for (const call of calls) expect((await grpcError(call())).code).toBe(status.NOT_FOUND);
    }
    // And the copy is untouched.
    const unchanged = await comms.email.getEmail({ id: copy.id }, as(bob));
    expect(unchanged.etag).toBe(copy.etag);
  });
});

describe('filing copies', () => {
  it('moves, labels and removes, with counts right after each change', async () => {
    const [ann, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const [second, first] = await deliver(ann, bob, 2);
    const inbox = await role(bob, MailboxRole.MAILBOX_ROLE_INBOX);
    const work = await folder(bob, 'Work');
    const later = await folder(bob, 'Later');
    expect((await counts(bob))[inbox.id]).toEqual([2, 2, 2, 2]);

    // Label: in the inbox and Work at once.
    const labelled = await comms.email.addToMailbox({ id: first.id, mailboxId: work.id }, as(bob));
    expect(labelled.mailboxIds.sort()).toEqual([inbox.id, work.id].sort());
    expect(labelled.mailbox).toBe(MailboxRole.MAILBOX_ROLE_INBOX);
    let now = await counts(bob);
    expect(now[inbox.id]).toEqual([2, 2, 2, 2]);
    expect(now[work.id]).toEqual([1, 1, 1, 1]);

    // Move the other one to Later (the whole set replaced).
    const moved = await comms.email.updateEmail(
      {
        email: commsV1.Email.fromPartial({
          id: second.id,
          etag: second.etag,
          mailboxIds: [later.id],
        }),
        updateMask: ['mailbox_ids'],
      },
      as(bob),
    );
    expect(moved.mailboxIds).toEqual([later.id]);
    expect(moved.mailbox).toBe(MailboxRole.MAILBOX_ROLE_UNSPECIFIED);
    await comms.email.markRead({ id: second.id }, as(bob));
    now = await counts(bob);
    expect(now[inbox.id]).toEqual([1, 1, 1, 1]);
    expect(now[later.id]).toEqual([1, 0, 1, 0]);

    // Out of the inbox: only in Work now; the last mailbox cannot go.
    await comms.email.removeFromMailbox({ id: first.id, mailboxId: inbox.id }, as(bob));
    const last = await grpcError(
      comms.email.removeFromMailbox({ id: first.id, mailboxId: work.id }, as(bob)),
    );
    expect(last).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'LAST_MAILBOX' });
    now = await counts(bob);
    expect(now[inbox.id]).toEqual([0, 0, 0, 0]);
    expect(now[work.id]).toEqual([1, 1, 1, 1]);
    expect(await listIds(bob, { mailboxId: work.id })).toEqual([first.id]);
    expect(await listIds(bob, { mailboxId: later.id })).toEqual([second.id]);
    expect(await listIds(bob, { mailbox: MailboxRole.MAILBOX_ROLE_INBOX })).toEqual([]);
    expect(await listIds(bob, {})).toEqual([first.id, second.id].sort());

    // The trash holds a copy alone; MoveToTrash and Restore bring back its labels.
    const trash = await role(bob, MailboxRole.MAILBOX_ROLE_TRASH);
    const mixed = await grpcError(
      comms.email.addToMailbox({ id: first.id, mailboxId: trash.id }, as(bob)),
    );
    expect(mixed.reason).toBe('TRASH_IS_EXCLUSIVE');
    await comms.email.addToMailbox({ id: first.id, mailboxId: later.id }, as(bob));
    const trashed = await comms.email.moveToTrash({ id: first.id, etag: '' }, as(bob));
    expect(trashed.mailboxIds).toEqual([trash.id]);
    expect(await listIds(bob, {})).toEqual([second.id]);
    now = await counts(bob);
    expect(now[trash.id]).toEqual([1, 1, 1, 1]);
    expect(now[work.id]).toEqual([0, 0, 0, 0]);
    const restored = await comms.email.restore({ id: first.id }, as(bob));
    expect(restored.mailboxIds.sort()).toEqual([work.id, later.id].sort());

    await comms.email.deleteForever({ id: second.id, etag: '' }, as(bob));
    now = await counts(bob);
    expect(now[later.id]).toEqual([1, 1, 1, 1]);
    expect(now[trash.id]).toEqual([0, 0, 0, 0]);

    const types = (await events.waitForSubject(first.id, 6)).map((event) => event.type);
    expect(types).toEqual([
      'nexus.comms.email.created',
      'nexus.comms.email.updated',
      'nexus.comms.email.updated',
      'nexus.comms.email.updated',
      'nexus.comms.email.deleted',
      'nexus.comms.email.restored',
    ]);
  });

  it('deletes a folder with mail only when asked, filing its copies out', async () => {
    const [ann, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const [alsoInbox, onlyHere] = await deliver(ann, bob, 2);
    const inbox = await role(bob, MailboxRole.MAILBOX_ROLE_INBOX);
    const trash = await role(bob, MailboxRole.MAILBOX_ROLE_TRASH);
    const box = await folder(bob, 'Temp');
    await comms.email.addToMailbox({ id: alsoInbox.id, mailboxId: box.id }, as(bob));
    await comms.email.updateEmail(
      {
        email: commsV1.Email.fromPartial({ id: onlyHere.id, mailboxIds: [box.id] }),
        updateMask: ['mailbox_ids'],
      },
      as(bob),
    );
    const refused = await grpcError(
      comms.email.deleteMailbox({ id: box.id, etag: '', removeEmails: false }, as(bob)),
    );
    expect(refused).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'MAILBOX_HAS_EMAIL',
    });
    expect((await counts(bob))[box.id]).toEqual([2, 2, 2, 2]);

    await comms.email.deleteMailbox({ id: box.id, etag: '', removeEmails: true }, as(bob));
    const now = await counts(bob);
    expect(now[box.id]).toBeUndefined();
    expect(now[inbox.id]).toEqual([1, 1, 1, 1]);
    expect(now[trash.id]).toEqual([1, 1, 1, 1]);
    expect((await comms.email.getEmail({ id: alsoInbox.id }, as(bob))).mailboxIds).toEqual([
      inbox.id,
    ]);
    // Restore finds its mailbox gone: back to the inbox of a received copy.
    const back = await comms.email.restore({ id: onlyHere.id }, as(bob));
    expect(back.mailboxIds).toEqual([inbox.id]);
  });

  it('keeps counts exact under concurrent moves and flags', async () => {
    const [ann, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const copies = await deliver(ann, bob, 8);
    const inbox = await role(bob, MailboxRole.MAILBOX_ROLE_INBOX);
    const [left, right] = await Promise.all([folder(bob, 'Left'), folder(bob, 'Right')]);
    await Promise.all(
      copies.flatMap((copy, index) => [
        comms.email.updateEmail(
          {
            email: commsV1.Email.fromPartial({
              id: copy.id,
              mailboxIds: [index % 2 === 0 ? left.id : right.id],
            }),
            updateMask: ['mailbox_ids'],
          },
          as(bob),
        ),
        comms.email.addToMailbox({ id: copy.id, mailboxId: right.id }, as(bob)),
        index % 3 === 0 ? comms.email.markRead({ id: copy.id }, as(bob)) : Promise.resolve(),
      ]),
    );
    // The truth, copy by copy, against the counts.
    const truth = new Map<string, [number, number]>();
    for (const copy of copies) {
      const now = await comms.email.getEmail({ id: copy.id }, as(bob));
      for (const id of now.mailboxIds) {
        const [total, unread] = truth.get(id) ?? [0, 0];
        truth.set(id, [total + 1, unread + (now.read ? 0 : 1)]);
      }
    }
    const now = await counts(bob);
    for (const id of [inbox.id, left.id, right.id]) {
      const [total, unread] = truth.get(id) ?? [0, 0];
      expect([id, now[id][0], now[id][1]]).toEqual([id, total, unread]);
    }
    expect(truth.get(right.id)?.[0]).toBeGreaterThanOrEqual(4);
  });
});

describe('keywords', () => {
  it('sets, filters and shows JMAP keywords, $seen being the read flag', async () => {
    const [ann, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const [other, copy] = await deliver(ann, bob, 2);
    expect(copy.keywords).toEqual([]);
    const flagged = await comms.email.setEmailKeywords(
      { id: copy.id, add: ['$Flagged', 'todo'], remove: [], etag: copy.etag },
      as(bob),
    );
    expect(flagged.keywords).toEqual(['$flagged', 'todo']);
    const seen = await comms.email.setEmailKeywords(
      { id: copy.id, add: ['$seen'], remove: ['todo'], etag: '' },
      as(bob),
    );
    expect(seen).toMatchObject({ keywords: ['$flagged', '$seen'], read: true });
    await comms.email.markUnread({ id: copy.id }, as(bob));
    expect((await comms.email.getEmail({ id: copy.id }, as(bob))).keywords).toEqual(['$flagged']);

    expect(await listIds(bob, { keyword: '$flagged' })).toEqual([copy.id]);
    expect(await listIds(bob, { notKeyword: '$flagged' })).toEqual([other.id]);
    await comms.email.markRead({ id: other.id }, as(bob));
    expect(await listIds(bob, { keyword: '$seen' })).toEqual([other.id]);
    expect(await listIds(bob, { notKeyword: '$seen' })).toEqual([copy.id]);

    // Replace the whole set with UpdateEmail.
    const replaced = await comms.email.updateEmail(
      {
        email: commsV1.Email.fromPartial({ id: copy.id, keywords: ['later'] }),
        updateMask: ['keywords'],
      },
      as(bob),
    );
    expect(replaced.keywords).toEqual(['later']);

    const draftKeyword = await grpcError(
      comms.email.setEmailKeywords({ id: copy.id, add: ['$draft'], remove: [], etag: '' }, as(bob)),
    );
    expect(draftKeyword).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['add.0'] });
    const badChars = await grpcError(
      comms.email.setEmailKeywords(
        { id: copy.id, add: ['a b', 'x(y'], remove: [], etag: '' },
        as(bob),
      ),
    );
    expect(badChars.fields).toEqual(['add.0', 'add.1']);

    const types = (await events.waitForSubject(copy.id, 5)).map((event) => event.type);
    expect(types.slice(1)).toEqual([
      'nexus.comms.email.updated',
      'nexus.comms.email.updated',
      'nexus.comms.email.updated',
      'nexus.comms.email.updated',
    ]);
  });

  it('marks the original $answered on Reply and a draft $draft', async () => {
    const [ann, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const [copy] = await deliver(ann, bob, 1);
    const reply = await comms.email.reply(
      { id: copy.id, bodyText: 'Yes', bodyHtml: '', requestId: '' },
      as(bob),
    );
    expect(reply.keywords).toEqual(['$draft', '$seen']);
    expect(
      await listIds(bob, { keyword: '$draft', mailbox: MailboxRole.MAILBOX_ROLE_DRAFTS }),
    ).toEqual([reply.id]);
    const original = await comms.email.getEmail({ id: copy.id }, as(bob));
    expect(original.keywords).toEqual(['$answered']);
    expect(await listIds(bob, { keyword: '$answered' })).toEqual([copy.id]);
  });
});
