import { status, type ServiceError } from '@grpc/grpc-js';
import { createPromiseClient, readNotFoundId, type PromiseClient } from '@nexus/clients';
import { KitError, type Principal } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { CommsError } from '../comms.errors';
import type { AttachmentChecker } from './attachment-checker';

type FilesClient = PromiseClient<typeof contentV1.FileServiceService>;

/**
 * Asks the content service, with the caller's token, for the files: its
 * BatchGetFiles is all or nothing, NOT_FOUND naming the first unknown id and
 * PERMISSION_DENIED when the caller may not read one. A file the caller may
 * read is a file they may attach.
 */
export class ContentAttachmentChecker implements AttachmentChecker {
  private readonly files: FilesClient;

  constructor(address: string) {
    this.files = createPromiseClient(contentV1.FileServiceService, { address });
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
      throw refusal(error as ServiceError, fileIds, options.field);
    }
  }

  close(): void {
    this.files.close();
  }
}

function refusal(error: ServiceError, fileIds: readonly string[], field: string): Error {
  if (error.code === status.NOT_FOUND) {
    const id = readNotFoundId(error);
    const index = id ? fileIds.indexOf(id) : -1;
    return new CommsError('UNKNOWN_ATTACHMENT', `file ${id ?? ''} does not exist`.trim(), [
      {
        field: index >= 0 ? `${field}[${index}]` : field,
        description: `file ${id ?? 'named here'} does not exist`,
        reason: 'UNKNOWN_FILE',
      },
    ]);
  }
  if (error.code === status.PERMISSION_DENIED) {
    return new CommsError('ATTACHMENT_NOT_ALLOWED', `cannot attach: ${error.details}`, [
      { field, description: error.details, reason: 'FILE_NOT_READABLE' },
    ]);
  }
  if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
    return new KitError('DEPENDENCY_UNAVAILABLE', 'the content service is unavailable; retry');
  }
  return error;
}
