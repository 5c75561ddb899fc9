import type { DataSource, EntityManager } from 'typeorm';
import { queryPrepared, type PageTokenCodec, type Page, type Tx } from '@nexus/db';
import { ContentError } from '../content.errors';
import type { DocumentEntity } from './document.entity';
import { canonicalJson, diffText, type ContentDelta } from './version-delta';
import { contentOf, toVersion, type DocumentVersion, type VersionRow } from './version-rows';

export type { DocumentVersion } from './version-rows';

const ORDER_KEY = 'number_desc';
const TABLE = '"content"."document_versions"';
const COLUMNS = `document_id, number, title, content, delta, base_number, chain_length,
  keep_forever, author_id, note, created_at`;

/**
 * The version history of documents, stored compactly: a version is a
 * snapshot of the content or a delta (version-delta.ts) against the version
 * before it, and every `snapshotEvery`-th one in a chain is a snapshot, so
 * reading any version applies fewer than `snapshotEvery` deltas, all loaded
 * with one statement. What a version says never changes; retention
 * (`prune`) removes versions and turns the deltas that used one as base into
 * snapshots first.
 */
export class VersionHistory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pageTokens: PageTokenCodec,
    private readonly snapshotEvery: number,
  ) {}

  /**
   * Records the document's current title and content as its version
   * `currentVersion`; `previous` is the content of the version before it
   * (the document's content before the change), null on create.
   */
  async append(
    tx: Tx,
    document: DocumentEntity,
    previous: Record<string, unknown> | null,
    authorId: string | null,
    note: string,
  ): Promise<void> {
    const storage = await this.storageOf(tx.manager, document, previous);
    await queryPrepared(
      tx.manager,
      `INSERT INTO ${TABLE} (document_id, number, title, content, delta, base_number, chain_length, author_id, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        document.id,
        document.currentVersion,
        document.title,
        storage.delta ? null : JSON.stringify(document.content),
        storage.delta ? JSON.stringify(storage.delta) : null,
        storage.delta ? document.currentVersion - 1 : null,
        storage.chainLength,
        authorId,
        note,
      ],
    );
  }

  /** A delta against the previous version, unless the chain is long enough or the delta is not small. */
  private async storageOf(
    manager: EntityManager,
    document: DocumentEntity,
    previous: Record<string, unknown> | null,
  ): Promise<{ delta: ContentDelta | null; chainLength: number }> {
    const snapshot = { delta: null, chainLength: 0 };
    if (previous === null || this.snapshotEvery <= 1) return snapshot;
    const [base] = await queryPrepared<{ chain_length: number }>(
      manager,
      `SELECT chain_length FROM ${TABLE} WHERE document_id = $1 AND number = $2`,
      [document.id, document.currentVersion - 1],
    );
    if (!base || base.chain_length + 1 >= this.snapshotEvery) return snapshot;
    const text = canonicalJson(document.content);
    const delta = diffText(canonicalJson(previous), text);
    if (delta.insert.length * 2 > text.length) return snapshot;
    return { delta, chainLength: base.chain_length + 1 };
  }

  async get(
    documentId: string,
    number: number,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DocumentVersion> {
    const [version] = await this.load(manager, documentId, [number]);
    if (!version) throw versionNotFound(documentId, number);
    return version;
  }

  /** Newest first, in keyset pages on (document_id, number), the primary key. */
  async list(
    documentId: string,
    pageSize: number,
    pageToken: string,
  ): Promise<Page<DocumentVersion>> {
    const after = pageToken
      ? Number(this.pageTokens.decode(pageToken, ORDER_KEY, { documentId }).value)
      : 2 ** 31 - 1;
    const manager = this.dataSource.manager;
    const numbers = await queryPrepared<{ number: number }>(
      manager,
      `SELECT number FROM ${TABLE} WHERE document_id = $1 AND number < $2
        ORDER BY number DESC LIMIT $3`,
      [documentId, after, pageSize + 1],
    );
    const items = await this.load(
      manager,
      documentId,
      numbers.slice(0, pageSize).map((row) => row.number),
    );
    const last = items[items.length - 1];
    const nextPageToken =
      numbers.length > pageSize && last
        ? this.pageTokens.encode(ORDER_KEY, { documentId }, { value: last.number, id: documentId })
        : '';
    return { items, nextPageToken };
  }

  /**
   * Marks or unmarks a version to keep forever; answers the version, and
   * what it was before when this changed it (null: it already was so).
   */
  async setKeepForever(
    tx: Tx,
    documentId: string,
    number: number,
    keepForever: boolean,
  ): Promise<{ version: DocumentVersion; before: DocumentVersion | null }> {
    const changed = await queryPrepared<{ number: number }>(
      tx.manager,
      `UPDATE ${TABLE} SET keep_forever = $3
        WHERE document_id = $1 AND number = $2 AND keep_forever <> $3 RETURNING number`,
      [documentId, number, keepForever],
    );
    const version = await this.get(documentId, number, tx.manager);
    const before = changed.length > 0 ? { ...version, keepForever: !keepForever } : null;
    return { version, before };
  }

  /**
   * Removes the versions of a document that retention lets go: not among
   * the `keepNewest` newest, not kept forever, made before `cutoff`. A kept
   * version stored as a delta against one of them becomes a snapshot first.
   * The rows to remove are locked (SKIP LOCKED: a version being marked
   * keep-forever right now waits for the next run). Answers those removed.
   */
  async prune(
    tx: Tx,
    documentId: string,
    keepNewest: number,
    cutoff: Date,
  ): Promise<DocumentVersion[]> {
    const doomed = await tx.manager.query<{ number: number }[]>(
      `SELECT v.number FROM ${TABLE} v JOIN "content"."documents" d ON d.id = v.document_id
        WHERE v.document_id = $1 AND v.number <= d.current_version - $2
          AND v.created_at < $3 AND NOT v.keep_forever
        ORDER BY v.number FOR UPDATE OF v SKIP LOCKED`,
      [documentId, keepNewest, cutoff],
    );
    if (doomed.length === 0) return [];
    const numbers = doomed.map((row) => row.number);
    const dependents = await tx.manager.query<{ number: number }[]>(
      `SELECT number FROM ${TABLE}
        WHERE document_id = $1 AND base_number = ANY($2::int[]) AND NOT (number = ANY($2::int[]))`,
      [documentId, numbers],
    );
    for (const version of await this.load(
      tx.manager,
      documentId,
      dependents.map((row) => row.number),
    )) {
      await tx.manager.query(
        `UPDATE ${TABLE} SET content = $3, delta = NULL, base_number = NULL, chain_length = 0
          WHERE document_id = $1 AND number = $2`,
        [documentId, version.number, JSON.stringify(version.content)],
      );
    }
    const removed = await queryPrepared<VersionRow>(
      tx.manager,
      `DELETE FROM ${TABLE} WHERE document_id = $1 AND number = ANY($2::int[])
        RETURNING ${COLUMNS}`,
      [documentId, numbers],
    );
    return removed.map((row) => toVersion(row, {})).sort((a, b) => a.number - b.number);
  }

  /** Documents with versions `prune` would remove, at most `limit`. */
  async documentsToPrune(keepNewest: number, cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource.manager.query<{ document_id: string }[]>(
      `SELECT DISTINCT v.document_id FROM ${TABLE} v
         JOIN "content"."documents" d ON d.id = v.document_id
        WHERE v.created_at < $2 AND NOT v.keep_forever AND v.number <= d.current_version - $1
        LIMIT $3`,
      [keepNewest, cutoff, limit],
    );
    return rows.map((row) => row.document_id);
  }

  /**
   * The versions `numbers` of a document (those that exist), in the order
   * given, each with its content rebuilt: one statement loads them with every
   * version their deltas need, down to the snapshots.
   */
  private async load(
    manager: EntityManager,
    documentId: string,
    numbers: readonly number[],
  ): Promise<DocumentVersion[]> {
    if (numbers.length === 0) return [];
    const rows = await queryPrepared<VersionRow>(
      manager,
      `WITH RECURSIVE chain(number, base_number) AS (
         SELECT number, base_number FROM ${TABLE} WHERE document_id = $1 AND number = ANY($2::int[])
         UNION
         SELECT v.number, v.base_number FROM ${TABLE} v
           JOIN chain c ON v.document_id = $1 AND v.number = c.base_number
       )
       SELECT ${COLUMNS} FROM ${TABLE}
        WHERE document_id = $1 AND number IN (SELECT number FROM chain)`,
      [documentId, [...numbers]],
    );
    const byNumber = new Map(rows.map((row) => [row.number, row]));
    const texts = new Map<number, string>();
    return numbers.flatMap((number) => {
      const row = byNumber.get(number);
      if (!row) return [];
      return [toVersion(row, { content: contentOf(row, byNumber, texts) })];
    });
  }
}

function versionNotFound(documentId: string, number: number): ContentError {
  return new ContentError(
    'VERSION_NOT_FOUND',
    `document ${documentId} has no version ${number}`,
    [],
    {
      resource: 'document_version',
      id: `${documentId}/${number}`,
    },
  );
}
