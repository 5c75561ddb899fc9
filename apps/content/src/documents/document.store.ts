import type { EntityManager } from 'typeorm';
import { queryPrepared } from '@nexus/db';
import { DocumentShareEntity, type ShareRole } from './document-share.entity';
import type { DocumentEntity } from './document.entity';

interface ShareRow {
  document_id: string;
  user_id: string;
  role: ShareRole;
  granted_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Loads the shares of documents: the part of the Document resource that is
 * not a column (the hydrate hook of the documents' aggregate store, so every
 * read returns them and every change's diff and event covers them).
 */
export async function hydrateDocuments(
  manager: EntityManager,
  documents: DocumentEntity[],
): Promise<void> {
  if (documents.length === 0) return;
  // Every read and write of a document loads them: a prepared statement of fixed text.
  const rows = await queryPrepared<ShareRow>(
    manager,
    `SELECT document_id, user_id, role, granted_by, created_at, updated_at
       FROM "content"."document_shares" WHERE document_id = ANY($1::uuid[])`,
    [documents.map((document) => document.id)],
  );
  const shares = rows.map((row) =>
    Object.assign(new DocumentShareEntity(), {
      documentId: row.document_id,
      userId: row.user_id,
      role: row.role,
      grantedBy: row.granted_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
  );
  for (const document of documents) {
    document.shares = shares.filter((share) => share.documentId === document.id);
  }
}
