import { status, type ServiceError } from '@grpc/grpc-js';
import {
  AttachmentAccess,
  createPeerClient,
  readNotFoundId,
  type AttachmentVia,
  type FilesClient,
} from '@nexus/clients';
import { KitError, type Principal } from '@nexus/core';
import type { PeerEndpoint } from '@nexus/config';
import { contentV1 } from '@nexus/proto';
import { CommsError } from '../comms.errors';
import type { AttachmentChecker } from './attachment-checker';

/**
 * Asks the content service, with the caller's token, for the files: its
 * BatchGetFiles is all or nothing, NOT_FOUND naming the first unknown id and
 * PERMISSION_DENIED when the caller may not read one. A file the caller may
 * read is a file they may attach: their own, a public one, one shared with
 * them or one they received in a message (content's file read rule). The
 * content service down, slow or hanging is the peer client's
 * DEPENDENCY_UNAVAILABLE (peer `content`). Grants go to content's
 * AttachmentAccessService with the same token.
 */
export class ContentAttachmentChecker implements AttachmentChecker {
  private readonly files: FilesClient;
  private readonly access: AttachmentAccess;

  constructor(content: PeerEndpoint) {
    this.files = createPeerClient(contentV1.FileServiceService, { ...content, peer: 'content' });
    this.access = new AttachmentAccess(content);
  }

  async check(
    caller: Principal,
    fileIds: readonly string[],
    options: { field: string; deadline?: Date },
  ): Promise<void> {
    if (fileIds.length === 0) return;
    try {
      await this.files.batchGetFiles(
        { ids: [...new Set(fileIds)] },
        { token: caller.token, deadline: options.deadline },
      );
    } catch (error) {
      throw refusal(error, fileIds, options.field);
    }
  }

  async grant(
    caller: Principal,
    request: { fileIds: readonly string[]; userIds: readonly string[]; via: AttachmentVia },
    options: { field: string; deadline?: Date },
  ): Promise<string[]> {
    try {
      const created = await this.access.grant(caller, request, options.deadline);
      return [...new Set(created.map((grant) => grant.userId))];
    } catch (error) {
      throw refusal(error, request.fileIds, options.field);
    }
  }

  async revoke(
    caller: Principal,
    request: { userIds: readonly string[]; via: AttachmentVia },
    deadline?: Date,
  ): Promise<void> {
    if (request.userIds.length === 0) return;
    await this.access.revoke(caller, request, deadline);
  }

  close(): void {
    this.files.close();
    this.access.close();
  }
}

/** The peer's answer about the files as this request's error; anything else as it came. */
function refusal(error: unknown, fileIds: readonly string[], field: string): unknown {
  if ((error as Partial<ServiceError>).code === status.NOT_FOUND) {
    const id = readNotFoundId(error as ServiceError);
    const index = id ? fileIds.indexOf(id) : -1;
    return new CommsError('UNKNOWN_ATTACHMENT', `file ${id ?? ''} does not exist`.trim(), [
      {
        field: index >= 0 ? `${field}[${index}]` : field,
        description: `file ${id ?? 'named here'} does not exist`,
        reason: 'UNKNOWN_FILE',
      },
    ]);
  }
  if (error instanceof KitError && error.code === 'PERMISSION_DENIED') {
    return new CommsError('ATTACHMENT_NOT_ALLOWED', `cannot attach: ${error.message}`, [
      { field, description: error.message, reason: 'FILE_NOT_READABLE' },
    ]);
  }
  return error;
}
