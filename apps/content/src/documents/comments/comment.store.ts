import type { DataSource } from 'typeorm';
import type { Page, PageTokenCodec } from '@nexus/db';
import { CommentEntity } from './comment.entity';

const ORDER_KEY = 'thread_order';
/** A comment's thread: its own id for a thread's first comment. */
const THREAD = 'COALESCE(c.thread_id, c.id)';

/**
 * ListComments' reads: thread order (threads oldest first, as ids are UUIDv7;
 * each first comment, then its replies), keyset pages on
 * (document_id, COALESCE(thread_id, id), id), the migration's expression index.
 */
export class CommentStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pageTokens: PageTokenCodec,
  ) {}

  async list(query: {
    documentId: string;
    threadId?: string;
    pageSize: number;
    pageToken: string;
  }): Promise<Page<CommentEntity>> {
    const { documentId, threadId = '' } = query;
    const qb = this.dataSource.manager
      .createQueryBuilder(CommentEntity, 'c')
      .where('c.document_id = :documentId', { documentId });
    if (threadId) qb.andWhere(`${THREAD} = CAST(:threadId AS uuid)`, { threadId });
    if (query.pageToken) {
      const cursor = this.pageTokens.decode(query.pageToken, ORDER_KEY, { documentId, threadId });
      qb.andWhere(`(${THREAD}, c.id) > (CAST(:thread AS uuid), CAST(:id AS uuid))`, {
        thread: String(cursor.value),
        id: cursor.id,
      });
    }
    const rows = await qb
      .orderBy(THREAD, 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(query.pageSize + 1)
      .getMany();
    const items = rows.slice(0, query.pageSize);
    const last = items[items.length - 1];
    const nextPageToken =
      rows.length > query.pageSize && last
        ? this.pageTokens.encode(
            ORDER_KEY,
            { documentId, threadId },
            { value: last.threadId ?? last.id, id: last.id },
          )
        : '';
    return { items, nextPageToken };
  }

  /** The replies of a thread, oldest first. */
  async replies(threadId: string, manager = this.dataSource.manager): Promise<CommentEntity[]> {
    return manager.find(CommentEntity, { where: { threadId }, order: { id: 'ASC' } });
  }
}
