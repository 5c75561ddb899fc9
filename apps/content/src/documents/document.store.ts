import { In, type EntityManager } from 'typeorm';
import { DocumentShareEntity } from './document-share.entity';
import type { DocumentEntity } from './document.entity';

/**
 * Loads the shares of documents: the part of the Document resource that is
 * not a column (the hydrate hook of the documents' aggregate store, so every
 * read returns them and every change's diff and event covers them).
 */
export async function hydrateDocuments(
  manager: EntityManager,
  documents: DocumentEntity[],
): Promise<void> {
  const shares = await manager.find(DocumentShareEntity, {
    where: { documentId: In(documents.map((document) => document.id)) },
  });
  for (const document of documents) {
    document.shares = shares.filter((share) => share.documentId === document.id);
  }
}
