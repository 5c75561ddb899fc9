import type { Logger } from 'pino';
import { DocumentEntity } from '../documents/document.entity';
import type { DocumentService } from '../documents/document.service';
import type { ShareService } from '../documents/share.service';
import type { FileParts } from '../files/file.grpc';
import type { PlatformEvent } from '@nexus/events';
import type { Tx } from '@nexus/db';

export const USER_TOPIC = 'nexus.users.user';
export const USER_DELETED = 'nexus.users.user.deleted';

/**
 * When a user is deleted (deactivated or erased): their documents go to the
 * trash, shares granted to them are revoked, their files are deleted (blobs
 * released by the periodic job once the transaction commits). Runs in the
 * consumer's transaction; a replay finds nothing left to do. Shares of
 * files and folders granted to them are revoked too; their folders stay
 * (others' files may be in them).
 */
export class UserDeletedHandler {
  constructor(
    private readonly documents: DocumentService,
    private readonly shares: ShareService,
    private readonly files: Pick<FileParts, 'trash' | 'fileShares' | 'folderShares'>,
    private readonly logger: Logger,
  ) {}

  async handle(event: PlatformEvent, tx: Tx): Promise<void> {
    if (event.type !== USER_DELETED) return;
    const userId = event.subject;
    const owned = await tx.manager.find(DocumentEntity, {
      where: { ownerId: userId },
      select: { id: true },
    });
    for (const { id } of owned) await this.documents.trash(tx, id, {});
    const revoked =
      (await this.shares.revokeAllOf(tx, userId)) +
      (await this.files.fileShares.revokeAllOf(tx, userId)) +
      (await this.files.folderShares.revokeAllOf(tx, userId));
    const deleted = await this.files.trash.eraseAllOf(tx, userId);
    this.logger.info(
      { userId, trashed: owned.length, revoked, deleted },
      'applied the deletion of a user',
    );
  }
}
