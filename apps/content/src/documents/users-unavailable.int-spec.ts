import { status } from '@grpc/grpc-js';
import { createContentClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import {
  closedPortAddress,
  signTestToken,
  startHangingPeer,
  timedFailure,
  type HangingPeer,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

// ShareDocument is the one RPC of content that asks the users service.
const CALLER_DEADLINE_MS = 5_000;
// The peer's timeout well inside the caller's deadline, as a busy test machine needs.
const PEER = { USERS_GRPC_TIMEOUT_MS: '1000' };

let hanging: HangingPeer;
let content: ContentHarness;
let down: ContentHarness;

beforeAll(async () => {
  hanging = await startHangingPeer();
  content = await startContent({ ...PEER, USERS_GRPC_ADDRESS: hanging.address });
  down = await startContent({ ...PEER, USERS_GRPC_ADDRESS: await closedPortAddress() });
}, 120_000);

afterAll(async () => {
  await content?.stop();
  await down?.stop();
  await hanging?.stop();
});

async function shareAsOwner(service: ContentHarness) {
  const owner = { token: signTestToken({ role: 'user' }) };
  const document = await service.client.documents.createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: 'Plan',
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
      }),
      requestId: '',
      versionNote: '',
    },
    owner,
  );
  // A client that does not retry UNAVAILABLE, as the harness's does: one call, one answer, timed.
  const once = createContentClient({
    address: `127.0.0.1:${service.service.grpcPort}`,
    retries: 0,
  });
  const failure = await timedFailure(() =>
    once.documents.shareDocument(
      { documentId: document.id, userId: uuidv7(), role: contentV1.ShareRole.SHARE_ROLE_VIEWER },
      { ...owner, deadline: new Date(Date.now() + CALLER_DEADLINE_MS) },
    ),
  );
  once.close();
  const { shares } = await service.client.documents.listShares({ documentId: document.id }, owner);
  return { failure, shares };
}

describe('ShareDocument with the users service unreachable', () => {
  it('answers UNAVAILABLE naming users within the caller’s deadline when users accepts and never answers', async () => {
    const { failure, shares } = await shareAsOwner(content);
    expect(failure).toMatchObject({
      code: status.UNAVAILABLE,
      reason: 'DEPENDENCY_UNAVAILABLE',
      peer: 'users',
    });
    expect(failure.elapsedMs).toBeLessThan(CALLER_DEADLINE_MS);
    expect(hanging.accepted()).toBeGreaterThan(0);
    expect(shares).toEqual([]);
  });

  it('answers UNAVAILABLE naming users when users refuses connections', async () => {
    const { failure, shares } = await shareAsOwner(down);
    expect(failure).toMatchObject({
      code: status.UNAVAILABLE,
      reason: 'DEPENDENCY_UNAVAILABLE',
      peer: 'users',
    });
    expect(failure.elapsedMs).toBeLessThan(CALLER_DEADLINE_MS);
    expect(shares).toEqual([]);
  });
});
