import type { Principal } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import type { AttachmentAccessClient } from './content-client';
import { createPeerClient, type PeerOptions } from './peer-client';

/** What a grant came through: `comms` / `email` / <email id>, `comms` / `chat-room` / <room id>. */
export type AttachmentVia = contentV1.AttachmentVia;

/** The most users one GrantFileAccess call names (the content service's limit). */
const USERS_PER_CALL = 1000;

/**
 * The content service's AttachmentAccessService as a service that carries
 * files in its messages asks it: with the caller's own token (so content
 * judges the caller: they must be able to read every file they pass on) and
 * deadline. The content service down, slow or hanging is UNAVAILABLE
 * `DEPENDENCY_UNAVAILABLE` (peer `content`); a file the caller cannot read
 * is the NOT_FOUND content sends, naming the file (see `peerFailure`).
 */
export class AttachmentAccess {
  private readonly client: AttachmentAccessClient;

  constructor(options: Omit<PeerOptions, 'peer'>) {
    this.client = createPeerClient(contentV1.AttachmentAccessServiceService, {
      ...options,
      peer: 'content',
    });
  }

  /**
   * Grants every user every file through `via`; nothing to grant asks
   * nothing. Idempotent, so a retried send grants nothing twice. Answers
   * the grants this call made (those that existed are not repeated).
   */
  async grant(
    caller: Principal,
    request: { fileIds: readonly string[]; userIds: readonly string[]; via: AttachmentVia },
    deadline?: Date,
  ): Promise<contentV1.AttachmentGrant[]> {
    const fileIds = [...new Set(request.fileIds)];
    const userIds = [...new Set(request.userIds)];
    if (fileIds.length === 0 || userIds.length === 0) return [];
    const created: contentV1.AttachmentGrant[] = [];
    for (let start = 0; start < userIds.length; start += USERS_PER_CALL) {
      const answer = await this.client.grantFileAccess(
        { fileIds, userIds: userIds.slice(start, start + USERS_PER_CALL), via: request.via },
        { token: caller.token, deadline },
      );
      created.push(...answer.created);
    }
    return created;
  }

  /** Takes back what the caller may through `via` (`userIds` empty: from everyone). */
  async revoke(
    caller: Principal,
    request: { userIds: readonly string[]; via: AttachmentVia },
    deadline?: Date,
  ): Promise<contentV1.AttachmentGrant[]> {
    const answer = await this.client.revokeFileAccess(
      { userIds: [...new Set(request.userIds)], via: request.via },
      { token: caller.token, deadline },
    );
    return answer.revoked;
  }

  close(): void {
    this.client.close();
  }
}
