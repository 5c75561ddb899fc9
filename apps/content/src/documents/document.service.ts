import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { KitError, isAdmin, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  likePrefix,
  type AggregateStore,
  type Page,
  type SearchPage,
  type SortOrder,
  type Tx,
} from '@nexus/db';
import { accessOf, checkCreate, checkEdit, checkManage, checkRead } from './document-access';
import { readableDocuments } from './document-search';
import { DOCUMENT_TEXT_SQL, type DocumentEntity, type DocumentKind } from './document.entity';
import type { DocumentChanges, DocumentSearch, UpdatableField } from './document.validation';
import type { VersionHistory } from './version-history';

export interface NewDocument {
  title: string;
  kind: DocumentKind;
  content: Record<string, unknown>;
}

export interface DocumentFilters {
  kind?: DocumentKind;
  ownerId?: string;
  sharedWithMe: boolean;
  titlePrefix: string;
  updatedAfter?: Date;
  updatedBefore?: Date;
}

export type DocumentOrder = 'update_time_desc' | 'create_time_desc' | 'title_asc';

const ORDERS: Record<DocumentOrder, SortOrder<DocumentEntity>> = {
  update_time_desc: { key: 'update_time_desc', property: 'updatedAt', direction: 'DESC' },
  create_time_desc: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
  title_asc: { key: 'title_asc', property: 'title', direction: 'ASC' },
};

const DAY_MS = 86_400_000;

/** Documents' rules: every write is one transaction with its event (and its version). */
export class DocumentService {
  constructor(
    private readonly dataSource: DataSource,
    /** Documents with their shares (hydrated by the store). */
    private readonly documents: AggregateStore<DocumentEntity>,
    private readonly history: VersionHistory,
    private readonly trashRetentionDays: number,
  ) {}

  async create(
    caller: Principal,
    input: NewDocument,
    note: string,
    key?: IdempotencyKey,
  ): Promise<DocumentEntity> {
    checkCreate(caller);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { entity } = await this.documents.create(
        tx,
        { ...input, ownerId: caller.userId, currentVersion: 1, purgeAt: null },
        key,
        {
          children: (document) => this.history.append(tx, document, null, caller.userId, note),
        },
      );
      return entity;
    });
  }

  /** Readers see a trashed document too (AIP-164), with its delete and purge times. */
  async get(caller: Principal, id: string): Promise<DocumentEntity> {
    const document = await this.documents.get(id, { withDeleted: true });
    checkRead(accessOf(caller, document, shareRoleOf(document, caller)));
    return document;
  }

  async list(
    caller: Principal,
    query: {
      filters: DocumentFilters;
      order: DocumentOrder;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
      showDeleted: boolean;
    },
  ): Promise<Page<DocumentEntity>> {
    const { filters } = query;
    return this.documents.list({
      filter: (qb) => applyFilters(qb, caller, filters),
      // The caller is part of the query: a page token does not carry over to another user.
      filterValues: { ...filters, caller: caller.userId, showDeleted: query.showDeleted },
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
      showDeleted: query.showDeleted,
    });
  }

  /** Full-text search over the documents the caller could get (accessOf, in SQL), not trashed. */
  async search(caller: Principal, search: DocumentSearch): Promise<SearchPage<DocumentEntity>> {
    const { query, pageSize, pageToken, includeTotalSize, ...filters } = search;
    return this.documents.search({
      query,
      filter: (qb) => readableDocuments(qb, caller, filters),
      // The caller is part of the query: a page token does not carry over to another user.
      filterValues: { ...filters, caller: caller.userId },
      snippetSql: DOCUMENT_TEXT_SQL('e'),
      recency: 'updatedAt',
      similar: 'title',
      pageSize,
      pageToken,
      includeTotal: includeTotalSize,
    });
  }

  async update(
    caller: Principal,
    id: string,
    etag: string,
    fields: ReadonlySet<UpdatableField>,
    changes: DocumentChanges,
    note: string,
  ): Promise<DocumentEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.changeBody(tx, caller, id, etag, note, (document) => {
        if (fields.has('title') && changes.title !== undefined) document.title = changes.title;
        if (fields.has('content') && changes.content !== undefined)
          document.content = changes.content;
      }),
    );
  }

  /** A new version equal to an old one; the history itself is never rewritten. */
  async restoreVersion(
    caller: Principal,
    id: string,
    number: number,
    etag: string,
  ): Promise<DocumentEntity> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const old = await this.history.get(id, number, tx.manager);
      return this.changeBody(
        tx,
        caller,
        id,
        etag,
        `restored from version ${number}`,
        (doc) => {
          doc.title = old.title;
          doc.content = old.content;
        },
        true,
      );
    });
  }

  async delete(caller: Principal, id: string, etag: string): Promise<DocumentEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.trash(tx, id, { caller, etag }),
    );
  }

  /** Moves a document to the trash; `caller` absent is the system (the user cascade). */
  async trash(
    tx: Tx,
    id: string,
    options: { caller?: Principal; etag?: string },
  ): Promise<DocumentEntity> {
    return this.documents.update(tx, id, {
      etag: options.etag || undefined,
      verb: 'deleted',
      authorize: (document) => {
        if (options.caller)
          checkManage(
            options.caller,
            accessOf(options.caller, document, shareRoleOf(document, options.caller)),
          );
      },
      apply: (document) => {
        const now = new Date();
        document.deletedAt = now;
        document.purgeAt = new Date(now.getTime() + this.trashRetentionDays * DAY_MS);
      },
    });
  }

  async undelete(caller: Principal, id: string): Promise<DocumentEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.documents.update(tx, id, {
        verb: 'restored',
        withDeleted: true,
        authorize: (document) => {
          checkManage(caller, accessOf(caller, document, shareRoleOf(document, caller)));
          if (!document.deletedAt) {
            throw new KitError('NOT_DELETED', `document ${id} is not in the trash`);
          }
        },
        apply: (document) => {
          document.deletedAt = null;
          document.purgeAt = null;
        },
      }),
    );
  }

  /** Erases a trashed document with its versions and shares. */
  async purge(caller: Principal, id: string, etag: string): Promise<void> {
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.documents.delete(tx, id, {
        soft: false,
        etag: etag || undefined,
        authorize: (document) =>
          checkManage(caller, accessOf(caller, document, shareRoleOf(document, caller))),
        apply: (document) => {
          if (!document.deletedAt) {
            throw new KitError(
              'NOT_DELETED',
              `document ${id} is not in the trash; delete it first`,
            );
          }
        },
      }),
    );
  }

  /** Changes title/content under the row lock and appends the version that change makes. */
  private async changeBody(
    tx: Tx,
    caller: Principal,
    id: string,
    etag: string,
    note: string,
    apply: (document: DocumentEntity) => void,
    alwaysVersion = false,
  ): Promise<DocumentEntity> {
    let versioned = false;
    let previous: Record<string, unknown> = {};
    const document = await this.documents.update(tx, id, {
      etag: etag || undefined,
      authorize: (doc) => checkEdit(caller, accessOf(caller, doc, shareRoleOf(doc, caller))),
      apply: (doc) => {
        const before = JSON.stringify([doc.title, doc.content]);
        previous = doc.content;
        apply(doc);
        if (alwaysVersion || JSON.stringify([doc.title, doc.content]) !== before) {
          doc.currentVersion += 1;
          versioned = true;
        }
      },
    });
    if (versioned) await this.history.append(tx, document, previous, caller.userId, note);
    return document;
  }
}

export function shareRoleOf(document: DocumentEntity, caller: Principal) {
  return document.shares?.find((share) => share.userId === caller.userId)?.role;
}

const SHARED_WITH_CALLER =
  'EXISTS (SELECT 1 FROM "content"."document_shares" s WHERE s.document_id = e.id AND s.user_id = :caller)';

function applyFilters(
  qb: SelectQueryBuilder<DocumentEntity>,
  caller: Principal,
  filters: DocumentFilters,
): void {
  qb.setParameter('caller', caller.userId);
  if (filters.sharedWithMe) {
    qb.andWhere(`e.owner_id <> :caller AND ${SHARED_WITH_CALLER}`);
  } else if (!(isAdmin(caller) && filters.ownerId)) {
    // Admins naming an owner see all of that owner's documents; everyone else mine + shared with me.
    qb.andWhere(`(e.owner_id = :caller OR ${SHARED_WITH_CALLER})`);
  }
  if (filters.ownerId) qb.andWhere('e.owner_id = :ownerId', { ownerId: filters.ownerId });
  if (filters.kind) qb.andWhere('e.kind = :kind', { kind: filters.kind });
  if (filters.titlePrefix) {
    qb.andWhere("lower(e.title) LIKE :titlePrefix ESCAPE '\\'", {
      titlePrefix: likePrefix(filters.titlePrefix),
    });
  }
  if (filters.updatedAfter)
    qb.andWhere('e.updated_at >= :updatedAfter', { updatedAfter: filters.updatedAfter });
  if (filters.updatedBefore)
    qb.andWhere('e.updated_at < :updatedBefore', { updatedBefore: filters.updatedBefore });
}
