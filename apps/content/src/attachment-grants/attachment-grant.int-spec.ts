import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { inTransaction } from '@nexus/db';
import type { PlatformEvent } from '@nexus/events';
import { contentV1 } from '@nexus/proto';
import { EventCollector, as, grpcError, signTestToken } from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';
import { AttachmentGrantEvents, CHAT_ROOM_TOPIC } from './attachment-grant.consumer';
import { AttachmentGrantEntity } from './attachment-grant.entity';

const TOPIC = 'nexus.content.attachment-grant';

let content: ContentHarness;
let events: EventCollector;

beforeAll(async () => {
  content = await startContent();
  events = await EventCollector.start([TOPIC]);
});

afterAll(async () => {
  await events.stop();
  await content.stop();
});

const person = (role: 'user' | 'admin' | 'guest' = 'user') => {
  const userId = uuidv7();
  return { userId, token: signTestToken({ role, userId }) };
};
type Person = ReturnType<typeof person>;
const access = () => content.client.attachments;
const emailVia = (id = uuidv7()) => ({ service: 'comms', resourceType: 'email', resourceId: id });
const roomVia = (id = uuidv7()) => ({
  service: 'comms',
  resourceType: 'chat-room',
  resourceId: id,
});

const upload = (owner: Person, isPublic = false) =>
  content.transfer.upload(owner.token, { name: 'deck.pdf', isPublic }, [randomBytes(2000)]);

/** What the person observes of the file: readable (OK) or the status code they get. */
async function reads(who: Person, fileId: string): Promise<number> {
  const error = await content.client.files
    .getFile({ id: fileId }, as(who))
    .then(() => undefined)
    .catch((e: { code: number }) => e);
  return error?.code ?? status.OK;
}

const grantRows = (where: Partial<AttachmentGrantEntity>) =>
  content.service.runtime.dataSource.manager.count(AttachmentGrantEntity, { where });

describe('GrantFileAccess', () => {
  it('lets a recipient get, batch-get and download a private file, and nobody else', async () => {
    const [alice, bob, carol] = [person(), person(), person()];
    const file = await upload(alice);
    const via = emailVia();
    const { created } = await access().grantFileAccess(
      { fileIds: [file.id], userIds: [bob.userId], via },
      as(alice),
    );
    expect(created).toEqual([
      expect.objectContaining({
        fileId: file.id,
        userId: bob.userId,
        via,
        grantedBy: alice.userId,
      }),
    ]);
    expect(await reads(bob, file.id)).toBe(status.OK);
    expect(
      (await content.client.files.batchGetFiles({ ids: [file.id] }, as(bob))).files,
    ).toHaveLength(1);
    const download = await content.transfer.downloadAll(bob.token, file.id);
    expect(download.bytes.length).toBe(2000);
    expect(await reads(carol, file.id)).toBe(status.NOT_FOUND);

    const [event] = await events.waitForSubject(created[0].id, 1);
    expect(event.type).toBe(`${TOPIC}.created`);
    expect(event.data.actor).toBe(alice.userId);
    expect(event.data.after).toMatchObject({ fileId: file.id, userId: bob.userId, via });
  });

  it('gives read access only: a recipient cannot rename, share or delete the file', async () => {
    const [alice, bob] = [person(), person()];
    const file = await upload(alice);
    await access().grantFileAccess(
      { fileIds: [file.id], userIds: [bob.userId], via: emailVia() },
      as(alice),
    );
    const rename = await grpcError(
      content.client.files.updateFile(
        {
          file: contentV1.File.fromPartial({ id: file.id, name: 'mine.pdf' }),
          updateMask: ['name'],
        },
        as(bob),
      ),
    );
    expect(rename.code).toBe(status.PERMISSION_DENIED);
    const remove = await grpcError(
      content.client.files.deleteFile({ id: file.id, etag: '' }, as(bob)),
    );
    expect(remove.code).toBe(status.PERMISSION_DENIED);
  });

  it('is idempotent: a repeated grant makes nothing and emits nothing', async () => {
    const [alice, bob] = [person(), person()];
    const file = await upload(alice);
    const request = { fileIds: [file.id], userIds: [bob.userId, alice.userId], via: emailVia() };
    const first = await access().grantFileAccess(request, as(alice));
    // The owner needs no grant and gets none.
    expect(first.created.map((grant) => grant.userId)).toEqual([bob.userId]);
    const again = await access().grantFileAccess(request, as(alice));
    expect(again.created).toEqual([]);
    expect(await grantRows({ fileId: file.id })).toBe(1);
    await events.waitForSubject(first.created[0].id, 1);
    const grantEvents = () =>
      events.events.filter(
        (event) => (event.data.after as { fileId?: string } | null)?.fileId === file.id,
      );
    expect(grantEvents()).toHaveLength(1);
  });

  it('refuses a caller who cannot read a file, whatever via they name: NOT_FOUND, nothing written', async () => {
    const [alice, mallory] = [person(), person()];
    const file = await upload(alice);
    const own = await upload(mallory);
    const error = await grpcError(
      access().grantFileAccess(
        { fileIds: [own.id, file.id], userIds: [mallory.userId], via: emailVia() },
        as(mallory),
      ),
    );
    expect(error.code).toBe(status.NOT_FOUND);
    expect(await reads(mallory, file.id)).toBe(status.NOT_FOUND);
    expect(await grantRows({ fileId: file.id })).toBe(0);
    expect(await grantRows({ fileId: own.id })).toBe(0);
  });

  it('lets a recipient pass the file on (a forward), and a public file be granted by anyone', async () => {
    const [alice, bob, carol, dave] = [person(), person(), person(), person()];
    const file = await upload(alice);
    await access().grantFileAccess(
      { fileIds: [file.id], userIds: [bob.userId], via: emailVia() },
      as(alice),
    );
    expect(await reads(carol, file.id)).toBe(status.NOT_FOUND);
    const { created } = await access().grantFileAccess(
      { fileIds: [file.id], userIds: [carol.userId], via: emailVia() },
      as(bob),
    );
    expect(created[0].grantedBy).toBe(bob.userId);
    expect(await reads(carol, file.id)).toBe(status.OK);
    const open = await upload(alice, true);
    await access().grantFileAccess(
      { fileIds: [open.id], userIds: [carol.userId], via: emailVia() },
      as(dave),
    );
    expect(await grantRows({ fileId: open.id, grantedBy: dave.userId })).toBe(1);
  });

  it('refuses guests', async () => {
    const [alice, guest] = [person(), person('guest')];
    const file = await upload(alice, true);
    const error = await grpcError(
      access().grantFileAccess(
        { fileIds: [file.id], userIds: [alice.userId], via: emailVia() },
        as(guest),
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it('validates every field: nothing written', async () => {
    const alice = person();
    const file = await upload(alice);
    const error = await grpcError(
      access().grantFileAccess(
        {
          fileIds: [file.id, file.id],
          userIds: [],
          via: { service: 'Comms', resourceType: 'chat room', resourceId: 'room-1' },
        },
        as(alice),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual([
      'file_ids',
      'user_ids',
      'via.resource_id',
      'via.resource_type',
      'via.service',
    ]);
    const missing = await grpcError(
      access().grantFileAccess({ fileIds: [file.id], userIds: [alice.userId] }, as(alice)),
    );
    expect(missing.fields).toEqual(['via']);
    expect(await grantRows({ fileId: file.id })).toBe(0);
  });
});

describe('RevokeFileAccess', () => {
  it('takes back what the grantor gave through the via, one event each, and nothing else', async () => {
    const [alice, bob, carol] = [person(), person(), person()];
    const file = await upload(alice);
    const mail = emailVia();
    const other = emailVia();
    await access().grantFileAccess(
      { fileIds: [file.id], userIds: [bob.userId, carol.userId], via: mail },
      as(alice),
    );
    await access().grantFileAccess(
      { fileIds: [file.id], userIds: [carol.userId], via: other },
      as(alice),
    );
    const { revoked } = await access().revokeFileAccess({ via: mail, userIds: [] }, as(alice));
    expect(revoked.map((grant) => grant.userId).sort()).toEqual([bob.userId, carol.userId].sort());
    expect(await reads(bob, file.id)).toBe(status.NOT_FOUND);
    // Carol still has it through the other mail.
    expect(await reads(carol, file.id)).toBe(status.OK);
    const deleted = await events.waitFor((all) =>
      revoked.every((grant) =>
        all.some((e) => e.subject === grant.id && e.type === `${TOPIC}.deleted`),
      ),
    );
    expect(deleted.length).toBeGreaterThan(0);
  });

  it('never lets a third party cut a recipient off; the recipient may give up their own access', async () => {
    const [alice, bob, mallory] = [person(), person(), person()];
    const file = await upload(alice);
    const via = emailVia();
    await access().grantFileAccess({ fileIds: [file.id], userIds: [bob.userId], via }, as(alice));
    const attempt = await access().revokeFileAccess({ via, userIds: [bob.userId] }, as(mallory));
    expect(attempt.revoked).toEqual([]);
    expect(await reads(bob, file.id)).toBe(status.OK);
    const given = await access().revokeFileAccess({ via, userIds: [] }, as(bob));
    expect(given.revoked.map((grant) => grant.userId)).toEqual([bob.userId]);
    expect(await reads(bob, file.id)).toBe(status.NOT_FOUND);
  });

  it('lets the owner revoke what a recipient passed on, and an admin revoke anything', async () => {
    const [alice, bob, carol, dave] = [person(), person(), person(), person()];
    const admin = person('admin');
    const file = await upload(alice);
    await access().grantFileAccess(
      { fileIds: [file.id], userIds: [bob.userId], via: emailVia() },
      as(alice),
    );
    const forward = emailVia();
    await access().grantFileAccess(
      { fileIds: [file.id], userIds: [carol.userId, dave.userId], via: forward },
      as(bob),
    );
    await access().revokeFileAccess({ via: forward, userIds: [carol.userId] }, as(alice));
    expect(await reads(carol, file.id)).toBe(status.NOT_FOUND);
    await access().revokeFileAccess({ via: forward, userIds: [] }, as(admin));
    expect(await reads(dave, file.id)).toBe(status.NOT_FOUND);
  });
});

describe('chat room membership', () => {
  const roomEvent = (roomId: string, before: string[], after: string[]): PlatformEvent => ({
    id: uuidv7(),
    type: `${CHAT_ROOM_TOPIC}.updated`,
    source: '/nexus/comms',
    subject: roomId,
    time: new Date(),
    topic: CHAT_ROOM_TOPIC,
    partition: 0,
    offset: '0',
    data: {
      before: { id: roomId, members: before.map((userId) => ({ userId })) },
      after: { id: roomId, members: after.map((userId) => ({ userId })) },
      changed: ['members'],
      actor: null,
    },
  });

  it('drops the grants through the room of a member who left, keeping their other grants', async () => {
    const [alice, bob, carol] = [person(), person(), person()];
    const roomOnly = await upload(alice);
    const alsoMailed = await upload(alice);
    const room = roomVia();
    await access().grantFileAccess(
      { fileIds: [roomOnly.id, alsoMailed.id], userIds: [bob.userId, carol.userId], via: room },
      as(alice),
    );
    await access().grantFileAccess(
      { fileIds: [alsoMailed.id], userIds: [bob.userId], via: emailVia() },
      as(alice),
    );
    const handler = new AttachmentGrantEvents();
    const event = roomEvent(
      room.resourceId,
      [alice.userId, bob.userId, carol.userId],
      [alice.userId, carol.userId],
    );
    const { dataSource } = content.service.runtime;
    await inTransaction(dataSource, null, (tx) => handler.handle(event, tx));
    expect(await reads(bob, roomOnly.id)).toBe(status.NOT_FOUND);
    expect(await reads(bob, alsoMailed.id)).toBe(status.OK);
    expect(await reads(carol, roomOnly.id)).toBe(status.OK);
    // A replay of the event finds nothing left to remove.
    await inTransaction(dataSource, null, (tx) => handler.handle(event, tx));
    expect(await grantRows({ viaId: room.resourceId })).toBe(2);
  });
});
