import type { Principal } from '@nexus/core';

/**
 * Whether a caller may attach files (content service file ids) to an email
 * or a message. Throws a field violation naming the first file refused.
 */
export interface AttachmentChecker {
  check(
    caller: Principal,
    fileIds: readonly string[],
    options: { field: string; deadline?: Date },
  ): Promise<void>;
}

/** Accepts every well-formed id (the request schemas check the format). */
export class FormatOnlyAttachmentChecker implements AttachmentChecker {
  async check(): Promise<void> {}
}
