import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { EventCollector, grpcError, signTestToken, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;
let events: EventCollector;

beforeAll(async () => {
  comms = await startComms();
  events = await EventCollector.start(['nexus.comms.email']);
}, 120_000);

afterAll(async () => {
  await events.stop();
  await comms.stop();
});

const { MailboxRole, EmailStatus } = commsV1;

function draft(overrides: Partial<commsV1.Email> = {}): commsV1.Email {
  return commsV1.Email.fromPartial({
    subject: 'Quarterly plan',
    bodyText: 'See attached.',
    ...overrides,
  });
}

async function counts(user: TestUser) {
  const { mailboxes } = await comms.email.listMailboxes({}, as(user));
  return Object.fromEntries(
    mailboxes.map((box) => [
      MailboxRole[box.role],
      { total: box.totalCount, unread: box.unreadCount },
    ]),
  );
}

async function inbox(user: TestUser) {
  return (
    await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ mailbox: MailboxRole.MAILBOX_ROLE_INBOX }),
      as(user),
    )
  ).emails;
}

async function sendNew(sender: TestUser, overrides: Partial<commsV1.Email>) {
  const created = await comms.email.createDraft(
    { email: draft(overrides), requestId: '' },
    as(sender),
  );
  return comms.email.sendEmail({ id: created.id, etag: created.etag }, as(sender));
}

describe('drafts', () => {
  it('creates a draft in the drafts mailbox with an RFC 5322 Message-ID and counts it', async () => {
    const alice = await comms.signUp();
    const email = await comms.email.createDraft(
      { email: draft({ to: ['Someone@Example.com'] }), requestId: '' },
      as(alice),
    );
    expect(email).toMatchObject({
      ownerId: alice.user.id,
      senderId: alice.user.id,
      mailbox: MailboxRole.MAILBOX_ROLE_DRAFTS,
      status: EmailStatus.EMAIL_STATUS_DRAFT,
      to: ['someone@example.com'],
      etag: '"1"',
    });
    expect(email.messageId).toMatch(/^<[0-9a-f-]{36}@comms\.nexus\.local>$/);
    expect(await counts(alice)).toMatchObject({ MAILBOX_ROLE_DRAFTS: { total: 1, unread: 0 } });
    const [created] = await events.waitForSubject(email.id, 1);
    expect(created?.type).toBe('nexus.comms.email.created');
  });

  it('returns the same draft for a retried request id', async () => {
    const alice = await comms.signUp();
    const unique = uuidv7();
    const first = await comms.email.createDraft({ email: draft(), requestId: unique }, as(alice));
    const second = await comms.email.createDraft({ email: draft(), requestId: unique }, as(alice));
    expect(second.id).toBe(first.id);
    expect(await counts(alice)).toMatchObject({ MAILBOX_ROLE_DRAFTS: { total: 1 } });
  });

  it('updates only the masked fields and refuses a stale etag', async () => {
    const alice = await comms.signUp();
    const created = await comms.email.createDraft({ email: draft(), requestId: '' }, as(alice));
    const updated = await comms.email.updateDraft(
      {
        email: commsV1.Email.fromPartial({
          id: created.id,
          etag: created.etag,
          subject: 'New',
          bodyText: 'ignored',
        }),
        updateMask: ['subject'],
      },
      as(alice),
    );
    expect(updated).toMatchObject({ subject: 'New', bodyText: 'See attached.', etag: '"2"' });
    const stale = await grpcError(
      comms.email.updateDraft(
        {
          email: commsV1.Email.fromPartial({ id: created.id, etag: created.etag, subject: 'x' }),
          updateMask: ['subject'],
        },
        as(alice),
      ),
    );
    expect(stale.code).toBe(status.ABORTED);
  });

  it('rejects malformed recipients field by field and writes nothing', async () => {
    const alice = await comms.signUp();
    const error = await grpcError(
      comms.email.createDraft(
        { email: draft({ to: ['not an address'], attachmentIds: ['nope'] }), requestId: '' },
        as(alice),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(expect.arrayContaining(['email.to.0', 'email.attachment_ids.0']));
    expect(await counts(alice)).toMatchObject({ MAILBOX_ROLE_DRAFTS: { total: 0 } });
  });

  it('refuses guests and callers without a token', async () => {
    const guest = signTestToken({ role: 'guest' });
    expect(
      (
        await grpcError(
          comms.email.createDraft({ email: draft(), requestId: '' }, { token: guest }),
        )
      ).code,
    ).toBe(status.PERMISSION_DENIED);
    expect((await grpcError(comms.email.listMailboxes({}))).code).toBe(status.UNAUTHENTICATED);
  });
});

describe('SendEmail', () => {
  it('turns the draft into the sent copy and gives every internal recipient an unread inbox copy', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const sent = await sendNew(alice, {
      to: [bob.user.id, 'partner@example.org'],
      cc: [carol.user.id],
    });
    expect(sent).toMatchObject({
      status: EmailStatus.EMAIL_STATUS_SENT,
      mailbox: MailboxRole.MAILBOX_ROLE_SENT,
      outbound: [{ address: 'partner@example.org', state: 'pending' }],
    });
    expect(sent.sendTime).toBeInstanceOf(Date);
    for (const recipient of [bob, carol]) {
      const [copy] = await inbox(recipient);
      expect(copy).toMatchObject({
        ownerId: recipient.user.id,
        status: EmailStatus.EMAIL_STATUS_RECEIVED,
        senderId: alice.user.id,
        messageId: sent.messageId,
        read: false,
        outbound: [],
      });
      expect(copy.id).not.toBe(sent.id);
      expect(await counts(recipient)).toMatchObject({
        MAILBOX_ROLE_INBOX: { total: 1, unread: 1 },
      });
    }
    expect(await counts(alice)).toMatchObject({
      MAILBOX_ROLE_DRAFTS: { total: 0 },
      MAILBOX_ROLE_SENT: { total: 1, unread: 0 },
    });
    const [bobCopy] = await inbox(bob);
    const [carolCopy] = await inbox(carol);
    await events.waitForSubject(bobCopy.id, 1);
    await events.waitForSubject(carolCopy.id, 1);
    const senderEvents = await events.waitForSubject(sent.id, 2);
    expect(senderEvents.map((e) => e.type)).toEqual([
      'nexus.comms.email.created',
      'nexus.comms.email.sent',
    ]);
  });

  it('hides bcc from every copy but the sender’s and each bcc recipient’s own', async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      comms.signUp(),
      comms.signUp(),
      comms.signUp(),
      comms.signUp(),
    ]);
    const sent = await sendNew(alice, { to: [bob.user.id], bcc: [carol.user.id, dave.user.id] });
    expect(sent.bcc).toEqual([carol.user.id, dave.user.id]);
    expect((await inbox(bob))[0].bcc).toEqual([]);
    expect((await inbox(carol))[0].bcc).toEqual([carol.user.id]);
    expect((await inbox(dave))[0].bcc).toEqual([dave.user.id]);
    const bobEvent = await events.waitForSubject((await inbox(bob))[0].id, 1);
    expect(JSON.stringify(bobEvent[0].data)).not.toContain(carol.user.id);
  });

  it('refuses an unknown or inactive recipient, naming it, and sends nothing', async () => {
    const [alice, bob, gone] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    await comms.users.deactivate(gone.user.id);
    const unknown = '01900000-0000-7000-8000-00000000dead';
    const created = await comms.email.createDraft(
      { email: draft({ to: [bob.user.id, unknown], cc: [gone.user.id] }), requestId: '' },
      as(alice),
    );
    const error = await grpcError(comms.email.sendEmail({ id: created.id, etag: '' }, as(alice)));
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'UNKNOWN_USER' });
    expect(error.fields).toEqual(['email.to[1]', 'email.cc[0]']);
    expect(error.details).toContain(unknown);
    expect(await inbox(bob)).toEqual([]);
    expect((await comms.email.getEmail({ id: created.id }, as(alice))).status).toBe(
      EmailStatus.EMAIL_STATUS_DRAFT,
    );
  });

  it('refuses to send a draft without recipients, or one that was already sent', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const empty = await comms.email.createDraft({ email: draft(), requestId: '' }, as(alice));
    expect(
      (await grpcError(comms.email.sendEmail({ id: empty.id, etag: '' }, as(alice)))).fields,
    ).toEqual(['to']);
    const sent = await sendNew(alice, { to: [bob.user.id] });
    const again = await grpcError(comms.email.sendEmail({ id: sent.id, etag: '' }, as(alice)));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    expect(await inbox(bob)).toHaveLength(1);
  });
});

describe('threading', () => {
  it('threads replies by In-Reply-To/References, never by subject', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const original = await sendNew(alice, { to: [bob.user.id], subject: 'Lunch' });
    const unrelated = await sendNew(alice, { to: [bob.user.id], subject: 'Lunch' });
    const [, bobOriginal] = await inbox(bob);
    expect(bobOriginal.messageId).toBe(original.messageId);

    const reply = await comms.email.reply(
      { id: bobOriginal.id, bodyText: 'Yes!', bodyHtml: '', requestId: '' },
      as(bob),
    );
    expect(reply).toMatchObject({
      to: [alice.user.id],
      subject: 'Re: Lunch',
      inReplyTo: original.messageId,
      references: [original.messageId],
      threadId: bobOriginal.threadId,
    });
    await comms.email.sendEmail({ id: reply.id, etag: '' }, as(bob));

    const [aliceReply] = await inbox(alice);
    expect(aliceReply.threadId).toBe(original.threadId);
    expect(aliceReply.threadId).not.toBe(unrelated.threadId);
    const thread = await comms.email.getThread({ threadId: original.threadId }, as(alice));
    expect(thread.emails.map((e) => e.messageId)).toEqual([
      original.messageId,
      aliceReply.messageId,
    ]);
  });

  it('reply-all addresses the sender and the other recipients but not the replier', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    await sendNew(alice, { to: [bob.user.id], cc: [carol.user.id, 'x@example.com'] });
    const [bobCopy] = await inbox(bob);
    const replyAll = await comms.email.replyAll(
      { id: bobCopy.id, bodyText: 'ok', bodyHtml: '', requestId: '' },
      as(bob),
    );
    expect(replyAll.to).toEqual([alice.user.id]);
    expect(replyAll.cc).toEqual([carol.user.id, 'x@example.com']);
  });

  it('forwards with the original text and attachments in the same thread', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const fileId = '01900000-0000-7000-8000-0000000f11e5';
    const sent = await sendNew(alice, { to: [bob.user.id], attachmentIds: [fileId] });
    const forward = await comms.email.forward(
      { id: sent.id, to: ['c@example.com'], bodyText: 'FYI', requestId: '' },
      as(alice),
    );
    expect(forward).toMatchObject({
      subject: 'Fwd: Quarterly plan',
      attachmentIds: [fileId],
      threadId: sent.threadId,
      references: [sent.messageId],
    });
    expect(forward.bodyText).toContain('See attached.');
  });
});

describe('reading and filing', () => {
  it('lets only the owner of a copy read or change it', async () => {
    const [alice, bob, eve] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const sent = await sendNew(alice, { to: [bob.user.id] });
    const [bobCopy] = await inbox(bob);
    for (const id of [sent.id, bobCopy.id]) {
      expect((await grpcError(comms.email.getEmail({ id }, as(eve)))).code).toBe(status.NOT_FOUND);
      expect((await grpcError(comms.email.markRead({ id }, as(eve)))).code).toBe(status.NOT_FOUND);
    }
    expect((await grpcError(comms.email.getEmail({ id: sent.id }, as(bob)))).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('keeps unread counts through read, unread, trash, restore and delete forever', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    await sendNew(alice, { to: [bob.user.id] });
    await sendNew(alice, { to: [bob.user.id] });
    const [first, second] = await inbox(bob);
    expect(await counts(bob)).toMatchObject({ MAILBOX_ROLE_INBOX: { total: 2, unread: 2 } });

    await comms.email.markRead({ id: first.id }, as(bob));
    expect(await counts(bob)).toMatchObject({ MAILBOX_ROLE_INBOX: { total: 2, unread: 1 } });
    const unread = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ unreadOnly: true }),
      as(bob),
    );
    expect(unread.emails.map((e) => e.id)).toEqual([second.id]);

    const trashed = await comms.email.moveToTrash({ id: second.id, etag: '' }, as(bob));
    expect(trashed.mailbox).toBe(MailboxRole.MAILBOX_ROLE_TRASH);
    expect(await counts(bob)).toMatchObject({
      MAILBOX_ROLE_INBOX: { total: 1, unread: 0 },
      MAILBOX_ROLE_TRASH: { total: 1, unread: 1 },
    });
    const restored = await comms.email.restore({ id: second.id }, as(bob));
    expect(restored.mailbox).toBe(MailboxRole.MAILBOX_ROLE_INBOX);
    await comms.email.markUnread({ id: first.id }, as(bob));
    expect(await counts(bob)).toMatchObject({
      MAILBOX_ROLE_INBOX: { total: 2, unread: 2 },
      MAILBOX_ROLE_TRASH: { total: 0 },
    });

    await comms.email.deleteForever({ id: first.id, etag: '' }, as(bob));
    expect(await counts(bob)).toMatchObject({ MAILBOX_ROLE_INBOX: { total: 1, unread: 1 } });
    expect((await grpcError(comms.email.getEmail({ id: first.id }, as(bob)))).code).toBe(
      status.NOT_FOUND,
    );
    const erased = await events.waitFor((all) =>
      all.some((e) => e.subject === first.id && e.data.after === null),
    );
    expect(erased.find((e) => e.subject === first.id && e.data.after === null)?.type).toBe(
      'nexus.comms.email.deleted',
    );
  });

  it('pages the inbox newest first with keyset tokens and filters by sender', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    for (let i = 0; i < 3; i += 1) await sendNew(alice, { to: [carol.user.id], subject: `a${i}` });
    await sendNew(bob, { to: [carol.user.id], subject: 'b' });
    const first = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ pageSize: 2, includeTotalSize: true }),
      as(carol),
    );
    expect(first.emails.map((e) => e.subject)).toEqual(['b', 'a2']);
    expect(first.totalSize).toBe(4);
    const second = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({
        pageSize: 2,
        pageToken: first.nextPageToken,
        includeTotalSize: true,
      }),
      as(carol),
    );
    expect(second.emails.map((e) => e.subject)).toEqual(['a1', 'a0']);
    expect(second.nextPageToken).toBe('');
    const fromAlice = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ senderId: alice.user.id }),
      as(carol),
    );
    expect(fromAlice.emails).toHaveLength(3);
  });
});
