import { contentV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export type DocumentsClient = PromiseClient<typeof contentV1.DocumentServiceService>;
/** Unary FileService methods (UploadFile/DownloadFile stream, so they are not here). */
export type FilesClient = PromiseClient<typeof contentV1.FileServiceService>;

export interface ContentClient {
  documents: DocumentsClient;
  /** `files.batchGetFiles({ ids }, { token })` checks that the caller may read (e.g. attach) files. */
  files: FilesClient;
  close(): void;
}

/** nexus.content.v1.DocumentService and FileService on one address. */
export function createContentClient(options: ClientOptions): ContentClient {
  const documents = createPromiseClient(contentV1.DocumentServiceService, options);
  const files = createPromiseClient(contentV1.FileServiceService, options);
  return {
    documents,
    files,
    close: () => {
      documents.close();
      files.close();
    },
  };
}
