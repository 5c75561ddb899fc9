import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import type { Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type Tx } from '@nexus/db';
import { ContentError } from '../content.errors';
import { accessOf, checkManage, checkRead } from './document-access';
import { DocumentShareEntity, type ShareRole } from './document-share.entity';
import { shareRoleOf } from './document.service';
import type { DocumentEntity } from './document.entity';

const MAX_SHARES = 1000;

/** Sharing: the owner and admins grant, change and revoke roles; every change is an event of the document. */
export class ShareService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly documents: AggregateStore<DocumentEntity>,
    private readonly directory: UserDirectory,
  ) {}

  /** Grants `role`; the user must exist and be active (asked of the users service first). */
  async share(
    caller: Principal,
    documentId: string,
    userId: string,
    role: ShareRole,
    deadline?: Date,
  ): Promise<DocumentShareEntity> {
    // Checked before the transaction: no row lock is held across a network call.
    const current = await this.documents.get(documentId);
    checkManage(caller, accessOf(caller, current, shareRoleOf(current, caller)));
    await this.directory.requireActive(caller, [{ id: userId, field: 'user_id' }], deadline);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const document = await this.documents.update(tx, documentId, {
        authorize: (doc) => {
          checkManage(caller, accessOf(caller, doc, shareRoleOf(doc, caller)));
          if (doc.ownerId === userId) {
            throw new ContentError('SHARE_WITH_OWNER', 'the owner already has every right', [
              { field: 'user_id', description: 'is the owner of the document', reason: 'OWNER' },
            ]);
          }
          if (doc.shares?.some((share) => share.userId === userId)) {
            throw new ContentError(
              'SHARE_EXISTS',
              `the document is already shared with ${userId}; use UpdateShare`,
            );
          }
          if ((doc.shares?.length ?? 0) >= MAX_SHARES) {
            throw new ContentError(
              'TOO_MANY_SHARES',
              `a document has at most ${MAX_SHARES} shares`,
            );
          }
        },
        apply: async (_doc, applying) => {
          await tx.manager.insert(DocumentShareEntity, {
            documentId,
            userId,
            role,
            grantedBy: caller.userId,
          });
          await applying.reloadChildren();
        },
      });
      return this.shareIn(document.shares, userId);
    });
  }

  async update(
    caller: Principal,
    documentId: string,
    userId: string,
    role: ShareRole,
  ): Promise<DocumentShareEntity> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const document = await this.documents.update(tx, documentId, {
        authorize: (doc) => {
          checkManage(caller, accessOf(caller, doc, shareRoleOf(doc, caller)));
          this.shareIn(doc.shares, userId);
        },
        apply: async (doc, applying) => {
          if (this.shareIn(doc.shares, userId).role === role) return;
          await tx.manager.update(
            DocumentShareEntity,
            { documentId, userId },
            { role, grantedBy: caller.userId },
          );
          await applying.reloadChildren();
        },
      });
      return this.shareIn(document.shares, userId);
    });
  }

  async revoke(caller: Principal, documentId: string, userId: string): Promise<void> {
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.documents.update(tx, documentId, {
        authorize: (doc) => {
          checkManage(caller, accessOf(caller, doc, shareRoleOf(doc, caller)));
          this.shareIn(doc.shares, userId);
        },
        apply: async (_doc, applying) => {
          await tx.manager.delete(DocumentShareEntity, { documentId, userId });
          await applying.reloadChildren();
        },
      }),
    );
  }

  /** Revokes every share granted to a user (the user cascade); one event per document. */
  async revokeAllOf(tx: Tx, userId: string): Promise<number> {
    const granted = await tx.manager.find(DocumentShareEntity, { where: { userId } });
    for (const { documentId } of granted) {
      await this.documents.update(tx, documentId, {
        withDeleted: true,
        apply: async (_doc, applying) => {
          await tx.manager.delete(DocumentShareEntity, { documentId, userId });
          await applying.reloadChildren();
        },
      });
    }
    return granted.length;
  }

  async list(caller: Principal, documentId: string): Promise<DocumentShareEntity[]> {
    const document = await this.documents.get(documentId, { withDeleted: true });
    checkRead(accessOf(caller, document, shareRoleOf(document, caller)));
    return [...(document.shares ?? [])].sort((a, b) => a.userId.localeCompare(b.userId));
  }

  private shareIn(shares: DocumentShareEntity[] | undefined, userId: string): DocumentShareEntity {
    const share = shares?.find((candidate) => candidate.userId === userId);
    if (!share) {
      throw new ContentError('SHARE_NOT_FOUND', `the document is not shared with ${userId}`, [], {
        resource: 'document_share',
        id: userId,
      });
    }
    return share;
  }
}
