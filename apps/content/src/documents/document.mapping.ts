import { etagOf } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { DocumentShareEntity, ShareRole } from './document-share.entity';
import type { DocumentEntity, DocumentKind } from './document.entity';
import type { DocumentVersion } from './version-history';

export const KIND_TO_PROTO: Record<DocumentKind, contentV1.DocumentKind> = {
  document: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
  spreadsheet: contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET,
  presentation: contentV1.DocumentKind.DOCUMENT_KIND_PRESENTATION,
};

export const SHARE_ROLE_TO_PROTO: Record<ShareRole, contentV1.ShareRole> = {
  viewer: contentV1.ShareRole.SHARE_ROLE_VIEWER,
  commenter: contentV1.ShareRole.SHARE_ROLE_COMMENTER,
  editor: contentV1.ShareRole.SHARE_ROLE_EDITOR,
};

export function toShareMessage(share: DocumentShareEntity): contentV1.DocumentShare {
  return {
    documentId: share.documentId,
    userId: share.userId,
    role: SHARE_ROLE_TO_PROTO[share.role],
    grantedBy: share.grantedBy ?? '',
    createTime: share.createdAt,
    updateTime: share.updatedAt,
  };
}

/** The API's view of a document; `shares` must have been loaded (DocumentStore does). */
export function toDocumentMessage(document: DocumentEntity): contentV1.Document {
  return {
    id: document.id,
    title: document.title,
    kind: KIND_TO_PROTO[document.kind],
    content: document.content,
    ownerId: document.ownerId,
    currentVersion: document.currentVersion,
    shares: [...(document.shares ?? [])]
      .sort((a, b) => a.userId.localeCompare(b.userId))
      .map(toShareMessage),
    createTime: document.createdAt,
    updateTime: document.updatedAt,
    deleteTime: document.deletedAt ?? undefined,
    purgeTime: document.purgeAt ?? undefined,
    etag: etagOf(document),
  };
}

export function toVersionMessage(version: DocumentVersion): contentV1.DocumentVersion {
  return {
    documentId: version.documentId,
    number: version.number,
    title: version.title,
    content: version.content,
    authorId: version.authorId ?? '',
    note: version.note,
    createTime: version.createdAt,
    keepForever: version.keepForever,
  };
}
