import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { KitError, uuidv7, type Principal } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { AttachmentAccess } from './attachment-access';

interface Seen {
  token: string;
  request: contentV1.GrantFileAccessRequest;
}

/** A real AttachmentAccessService that grants everything asked (or is down, `down`). */
async function contentPeer(down = false) {
  const seen: Seen[] = [];
  const server = new Server();
  server.addService(contentV1.AttachmentAccessServiceService, {
    grantFileAccess: (
      call: ServerUnaryCall<contentV1.GrantFileAccessRequest, contentV1.GrantFileAccessResponse>,
      callback: sendUnaryData<contentV1.GrantFileAccessResponse>,
    ) => {
      if (down) return callback({ code: status.UNAVAILABLE, details: 'draining' });
      seen.push({ token: String(call.metadata.get('authorization')[0]), request: call.request });
      const { fileIds, userIds, via } = call.request;
      callback(null, {
        created: fileIds.flatMap((fileId) =>
          userIds.map((userId) =>
            contentV1.AttachmentGrant.fromPartial({ id: uuidv7(), fileId, userId, via }),
          ),
        ),
      });
    },
    revokeFileAccess: (
      _call: ServerUnaryCall<contentV1.RevokeFileAccessRequest, contentV1.RevokeFileAccessResponse>,
      callback: sendUnaryData<contentV1.RevokeFileAccessResponse>,
    ) => callback(null, { revoked: [] }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, seen, stop: () => server.forceShutdown() };
}

const caller: Principal = { userId: uuidv7(), role: 'user', token: 'the-callers-token' };
const via = { service: 'comms', resourceType: 'email', resourceId: uuidv7() };

describe('AttachmentAccess', () => {
  it("grants with the caller's token, asking nothing when there is nothing to grant", async () => {
    const peer = await contentPeer();
    const access = new AttachmentAccess({ address: peer.address, timeoutMs: 2000 });
    try {
      expect(await access.grant(caller, { fileIds: [], userIds: [uuidv7()], via })).toEqual([]);
      expect(await access.grant(caller, { fileIds: [uuidv7()], userIds: [], via })).toEqual([]);
      expect(peer.seen).toEqual([]);
      const file = uuidv7();
      const created = await access.grant(caller, {
        fileIds: [file, file],
        userIds: [caller.userId],
        via,
      });
      expect(created).toHaveLength(1);
      expect(peer.seen).toEqual([
        {
          token: 'Bearer the-callers-token',
          request: { fileIds: [file], userIds: [caller.userId], via },
        },
      ]);
    } finally {
      access.close();
      peer.stop();
    }
  });

  it('asks for at most 1000 users a call, so a large room is granted in full', async () => {
    const peer = await contentPeer();
    const access = new AttachmentAccess({ address: peer.address, timeoutMs: 2000 });
    try {
      const userIds = Array.from({ length: 2500 }, () => uuidv7());
      const created = await access.grant(caller, { fileIds: [uuidv7()], userIds, via });
      expect(created).toHaveLength(2500);
      expect(peer.seen.map((call) => call.request.userIds.length)).toEqual([1000, 1000, 500]);
    } finally {
      access.close();
      peer.stop();
    }
  });

  it('reads content down as UNAVAILABLE DEPENDENCY_UNAVAILABLE naming content', async () => {
    const peer = await contentPeer(true);
    const access = new AttachmentAccess({ address: peer.address, timeoutMs: 2000 });
    try {
      const error = await access
        .grant(caller, { fileIds: [uuidv7()], userIds: [uuidv7()], via })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KitError);
      expect((error as KitError).code).toBe('DEPENDENCY_UNAVAILABLE');
      expect((error as KitError).metadata).toEqual({ peer: 'content' });
    } finally {
      access.close();
      peer.stop();
    }
  });
});
