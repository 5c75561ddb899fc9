import type { DataSource, EntityManager } from 'typeorm';
import { queryPrepared, type PageTokenCodec, type Page, type Tx } from '@nexus/db';
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
    // Every create and body change appends one: prepared (content as JSON text, as TypeORM does).
    await queryPrepared(
      tx.manager,
      `INSERT INTO "content"."document_versions" (document_id, number, title, content, author_id, note)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        document.id,
        document.currentVersion,
        document.title,
        JSON.stringify(document.content),
        authorId,
        note,
      ],
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
