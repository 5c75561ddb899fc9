import type { DataSource } from 'typeorm';
import { KitError, isAdmin, type Principal } from '@nexus/core';
import { inTransaction } from '@nexus/db';
import { ContentError } from '../content.errors';
import { checkWriter } from '../documents/document-access';
import type { FileService } from '../files/file.service';
import type { AttachmentGrantEntity } from './attachment-grant.entity';
import { addGrants, removeGrants } from './attachment-grant.store';
import type { Via } from './attachment-grant.validation';

/**
 * Access to files through the messages that carry them.
 *
 * The rule that keeps a grant from opening anything: the grantor must be
 * able to read every file (FileService.batchGet, the file read rule itself:
 * owner, admin, public, share, or a grant of their own). The via is only a
 * label the grantor chooses (what to revoke together later); naming a via
 * someone else uses gives nothing, since a grant passes on only what the
 * grantor can already read, as they could by downloading and sending the
 * bytes. So B may pass on A's file that B received by mail, and nobody can
 * grant themselves a file they cannot already read.
 */
export class AttachmentGrantService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: FileService,
  ) {}

  /** Grants that did not exist yet are made (one event each); answers those. */
  async grant(
    caller: Principal,
    request: { fileIds: string[]; userIds: string[]; via: Via },
  ): Promise<AttachmentGrantEntity[]> {
    checkWriter(caller);
    const files = await this.readable(caller, request.fileIds);
    const wanted = files.flatMap((file) =>
      request.userIds
        .filter((userId) => userId !== file.ownerId) // the owner needs no grant
        .map((userId) => ({ fileId: file.id, userId, grantedBy: caller.userId })),
    );
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      addGrants(tx, request.via, wanted),
    );
  }

  /** As GetFile answers: a file the caller may not read does not exist for them (NOT_FOUND, named). */
  private async readable(caller: Principal, ids: string[]) {
    try {
      return await this.files.batchGet(caller, ids);
    } catch (error) {
      if (error instanceof ContentError && error.code === 'NO_ACCESS' && error.metadata.id) {
        throw KitError.notFound('file', error.metadata.id);
      }
      throw error;
    }
  }

  /**
   * Removes the grants through `via` to `userIds` (all if empty) that the
   * caller may take back: made by them, held by them (giving up their own
   * access), or on files they own; admins any. Others' grants are left, so
   * revoking cannot be used to cut someone off from what a third party
   * shared; a via nobody granted through is simply nothing to remove.
   */
  async revoke(
    caller: Principal,
    request: { userIds: string[]; via: Via },
  ): Promise<AttachmentGrantEntity[]> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      removeGrants(tx, {
        via: request.via,
        userIds: request.userIds,
        revokableBy: isAdmin(caller) ? undefined : caller.userId,
      }),
    );
  }
}
