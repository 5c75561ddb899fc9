import { contentV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export type DocumentsClient = PromiseClient<typeof contentV1.DocumentServiceService>;
/** Unary FileService methods (UploadFile/DownloadFile stream, so they are not here). */
export type FilesClient = PromiseClient<typeof contentV1.FileServiceService>;
/** Grants and revokes access to files through the messages that carry them. */
export type AttachmentAccessClient = PromiseClient<typeof contentV1.AttachmentAccessServiceService>;

export interface ContentClient {
  documents: DocumentsClient;
  /** `files.batchGetFiles({ ids }, { token })` checks that the caller may read (e.g. attach) files. */
  files: FilesClient;
  /** `attachments.grantFileAccess(...)`: see AttachmentAccess for the peer form. */
  attachments: AttachmentAccessClient;
  close(): void;
}

/** nexus.content.v1.DocumentService, FileService and AttachmentAccessService on one address. */
export function createContentClient(options: ClientOptions): ContentClient {
  const documents = createPromiseClient(contentV1.DocumentServiceService, options);
  const files = createPromiseClient(contentV1.FileServiceService, options);
  const attachments = createPromiseClient(contentV1.AttachmentAccessServiceService, options);
  return {
    documents,
    files,
    attachments,
    close: () => {
      documents.close();
      files.close();
      attachments.close();
    },
  };
}
