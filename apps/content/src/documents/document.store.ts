import { In, type DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { KitError } from '@nexus/core';
import { ROW_WRITE_LOCK, etagOf, type ChangeVerb, type CrudRepository, type Tx } from '@nexus/db';
import { documentAggregate } from './document.aggregate';
import { DocumentShareEntity } from './document-share.entity';
import { DocumentEntity } from './document.entity';

export interface DocumentChange {
  etag?: string;
  withDeleted?: boolean;
  verb?: ChangeVerb;
  /** Checks the caller's rights on the locked document (shares loaded) before anything changes. */
  authorize: (document: DocumentEntity) => void;
  apply: (document: DocumentEntity) => void | Promise<void>;
}

/**
 * Documents with their shares. The document resource includes its shares,
 * so every read loads them and every change locks the row, loads them,
 * and records one event whose before and after are the whole resource.
 * (CrudRepository.update would snapshot the row without its shares.)
 */
export class DocumentStore {
  constructor(
    private readonly dataSource: DataSource,
    readonly repository: CrudRepository<DocumentEntity>,
  ) {}

  async get(
    id: string,
    options: { withDeleted?: boolean; manager?: EntityManager } = {},
  ): Promise<DocumentEntity> {
    const document = await this.repository.get(id, options);
    await this.loadShares([document], options.manager);
    return document;
  }

  async loadShares(documents: DocumentEntity[], manager?: EntityManager): Promise<void> {
    if (documents.length === 0) return;
    const shares = await (manager ?? this.dataSource.manager).find(DocumentShareEntity, {
      where: { documentId: In(documents.map((document) => document.id)) },
    });
    for (const document of documents) {
      document.shares = shares.filter((share) => share.documentId === document.id);
    }
  }

  /**
   * Locks the row, loads its shares, authorizes, checks the etag, applies the
   * change and records one event. Of two writers holding the same etag the
   * second waits for the lock, then sees the new version and gets ABORTED.
   */
  async change(tx: Tx, id: string, change: DocumentChange): Promise<DocumentEntity> {
    const document = await this.lock(tx, id, change.withDeleted ?? false);
    change.authorize(document);
    if (change.etag && change.etag !== etagOf(document)) {
      throw new KitError(
        'ETAG_MISMATCH',
        `etag ${change.etag} does not match the current version; read the document again and retry`,
        [],
        { current_etag: etagOf(document) },
      );
    }
    const before = documentAggregate.toResource(document);
    await change.apply(document);
    const unchanged =
      JSON.stringify(before) === JSON.stringify(documentAggregate.toResource(document));
    if (unchanged) return document;
    // The query builder bumps the version (etag) and update time, also when only shares changed.
    await tx.manager
      .createQueryBuilder()
      .update(DocumentEntity)
      .set({
        title: document.title,
        content: document.content,
        currentVersion: document.currentVersion,
        deletedAt: document.deletedAt,
        purgeAt: document.purgeAt,
      } as QueryDeepPartialEntity<DocumentEntity>)
      .where('id = :id', { id })
      .execute();
    const saved = await this.reload(tx, id, document);
    await tx.emitResources(
      documentAggregate,
      change.verb ?? 'updated',
      id,
      before,
      documentAggregate.toResource(saved),
    );
    return saved;
  }

  /** Erases the document (versions and shares go with it by cascade) and records its `deleted` event. */
  async erase(
    tx: Tx,
    id: string,
    check: (document: DocumentEntity) => void,
  ): Promise<DocumentEntity> {
    const document = await this.lock(tx, id, true);
    check(document);
    await tx.manager.delete(DocumentEntity, { id });
    await tx.emit(documentAggregate, 'deleted', document, null);
    return document;
  }

  async lock(tx: Tx, id: string, withDeleted: boolean): Promise<DocumentEntity> {
    const document = await tx.manager.findOne(DocumentEntity, {
      where: { id },
      lock: ROW_WRITE_LOCK,
      withDeleted,
    });
    if (!document) throw KitError.notFound('document', id);
    await this.loadShares([document], tx.manager);
    return document;
  }

  private async reload(tx: Tx, id: string, changed: DocumentEntity): Promise<DocumentEntity> {
    const row = await tx.manager.findOneOrFail(DocumentEntity, {
      where: { id },
      withDeleted: true,
    });
    await this.loadShares([row], tx.manager);
    return Object.assign(changed, row);
  }
}
