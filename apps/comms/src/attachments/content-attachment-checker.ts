import { status, type ServiceError } from '@grpc/grpc-js';
import { createPeerClient, readNotFoundId, type FilesClient } from '@nexus/clients';
import { KitError, type Principal } from '@nexus/core';
import type { PeerEndpoint } from '@nexus/config';
import { contentV1 } from '@nexus/proto';
import { CommsError } from '../comms.errors';
import type { AttachmentChecker } from './attachment-checker';

/**
 * Asks the content service, with the caller's token, for the files: its
 * BatchGetFiles is all or nothing, NOT_FOUND naming the first unknown id and
 * PERMISSION_DENIED when the caller may not read one. A file the caller may
 * read is a file they may attach. The content service down, slow or hanging
 * is the peer client's DEPENDENCY_UNAVAILABLE (peer `content`).
 */
export class ContentAttachmentChecker implements AttachmentChecker {
  private readonly files: FilesClient;

  constructor(content: PeerEndpoint) {
    this.files = createPeerClient(contentV1.FileServiceService, { ...content, peer: 'content' });
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

  close(): void {
    this.files.close();
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
