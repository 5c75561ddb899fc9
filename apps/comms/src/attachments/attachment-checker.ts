import type { AttachmentVia } from '@nexus/clients';
import type { Principal } from '@nexus/core';

/**
 * Whether a caller may attach files (content service file ids) to an email
 * or a message, and the recipients' access to them once it is sent.
 */
export interface AttachmentChecker {
  /** Throws a field violation naming the first file the caller may not attach. */
  check(
    caller: Principal,
    fileIds: readonly string[],
    options: { field: string; deadline?: Date },
  ): Promise<void>;

  /**
   * Lets the recipients read the files through the message (`via`), with the
   * caller's token: content allows it only for files the caller can read.
   * Idempotent. Answers the users who got a grant they did not have, so a
   * write that fails after it can take back exactly those (`revoke`).
   */
  grant(
    caller: Principal,
    request: { fileIds: readonly string[]; userIds: readonly string[]; via: AttachmentVia },
    options: { field: string; deadline?: Date },
  ): Promise<string[]>;

  /** Takes back, through `via`, what the caller granted to `userIds`. */
  revoke(
    caller: Principal,
    request: { userIds: readonly string[]; via: AttachmentVia },
    deadline?: Date,
  ): Promise<void>;
}

/**
 * Accepts every well-formed id (the request schemas check the format) and
 * grants nothing: without the content service there is no access to give.
 */
export class FormatOnlyAttachmentChecker implements AttachmentChecker {
  async check(): Promise<void> {}

  async grant(): Promise<string[]> {
    return [];
  }

  async revoke(): Promise<void> {}
}

/** The via of a mail: the sender's copy (its id is the draft's, kept when it is sent). */
export const emailVia = (emailId: string): AttachmentVia => ({
  service: 'comms',
  resourceType: 'email',
  resourceId: emailId,
});

/** The via of the files posted in a chat room (content drops a member's grants when they leave). */
export const chatRoomVia = (roomId: string): AttachmentVia => ({
  service: 'comms',
  resourceType: 'chat-room',
  resourceId: roomId,
});
