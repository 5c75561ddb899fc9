import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { PageTokenCodec, Page, Tx } from '@nexus/db';
import { ContentError } from '../content.errors';
import { DocumentVersionEntity } from './document-version.entity';
import type { DocumentEntity } from './document.entity';

const ORDER_KEY = 'number_desc';

/** The append-only version history of documents (rows are never updated). */
export class VersionHistory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pageTokens: PageTokenCodec,
  ) {}

  /** Records the document's current title and content as its version `currentVersion`. */
  async append(
    tx: Tx,
    document: DocumentEntity,
    authorId: string | null,
    note: string,
  ): Promise<void> {
    const version: Omit<DocumentVersionEntity, 'createdAt'> = {
      documentId: document.id,
      number: document.currentVersion,
      title: document.title,
      content: document.content,
      authorId,
      note,
    };
    await tx.manager.insert(
      DocumentVersionEntity,
      version as QueryDeepPartialEntity<DocumentVersionEntity>,
    );
  }

  async get(
    documentId: string,
    number: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DocumentVersionEntity> {
    const version = await manager.findOneBy(DocumentVersionEntity, { documentId, number });
    if (!version) {
      throw new ContentError(
        'VERSION_NOT_FOUND',
        `document ${documentId} has no version ${number}`,
        [],
        { resource: 'document_version', id: `${documentId}/${number}` },
      );
    }
    return version;
  }

  /** Newest first, in keyset pages on (document_id, number), the primary key. */
  async list(
    documentId: string,
    pageSize: number,
    pageToken: string,
  ): Promise<Page<DocumentVersionEntity>> {
    const qb = this.dataSource.manager
      .createQueryBuilder(DocumentVersionEntity, 'v')
      .where('v.document_id = :documentId', { documentId });
    if (pageToken) {
      const cursor = this.pageTokens.decode(pageToken, ORDER_KEY, { documentId });
      qb.andWhere('v.number < :after', { after: Number(cursor.value) });
    }
    const rows = await qb
      .orderBy('v.number', 'DESC')
      .limit(pageSize + 1)
      .getMany();
    const items = rows.slice(0, pageSize);
    const last = items[items.length - 1];
    const nextPageToken =
      rows.length > pageSize && last
        ? this.pageTokens.encode(ORDER_KEY, { documentId }, { value: last.number, id: documentId })
        : '';
    return { items, nextPageToken };
  }
}
