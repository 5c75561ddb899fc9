import { UserDirectory } from '@nexus/clients';
import { AggregateStore } from '@nexus/db';
import { runEventConsumer } from '@nexus/events';
import { contentV1 } from '@nexus/proto';
import { startPeriodicJob, type ServiceRuntime, type ServiceSpec } from '@nexus/runtime';
import { USER_TOPIC, UserDeletedHandler } from './cascade/user-deleted.handler';
import type { ContentConfig } from './config';
import { database } from './database';
import { documentAggregate } from './documents/document.aggregate';
import { DocumentEntity } from './documents/document.entity';
import { documentServiceHandlers } from './documents/document.grpc';
import { DocumentService } from './documents/document.service';
import { hydrateDocuments } from './documents/document.store';
import { ShareService } from './documents/share.service';
import { TrashPurger } from './documents/trash-purger';
import { VersionHistory } from './documents/version-history';
import { BlobReleaser } from './files/blob-releaser';
import type { BlobStorage } from './files/blob-storage';
import { FILE_AGGREGATES, fileParts } from './files/file-parts';
import { fileServiceHandlers, type FileParts } from './files/file.grpc';
import type { FileService } from './files/file.service';
import { LocalBlobStorage } from './files/local-blob-storage';

/** The parts of the content service, built once per runtime. */
export interface ContentParts {
  /** Documents with their shares. */
  store: AggregateStore<DocumentEntity>;
  history: VersionHistory;
  documents: DocumentService;
  shares: ShareService;
  files: FileService;
  /** Files with their folders, shares, links and trash. */
  fileParts: FileParts;
  releaser: BlobReleaser;
  purger: TrashPurger;
}

/** The content service: documents with versions and sharing, files over a blob store. */
export function contentService(
  config: ContentConfig,
  blobs: BlobStorage = new LocalBlobStorage(config.blobDir),
): ServiceSpec & { parts(): ContentParts } {
  let built: ContentParts | undefined;
  let directory: UserDirectory | undefined;
  const parts = (runtime: ServiceRuntime): ContentParts => {
    if (built) return built;
    const { dataSource, pageTokens, logger } = runtime;
    directory = new UserDirectory(config.users);
    const store = new AggregateStore(dataSource, DocumentEntity, documentAggregate, pageTokens, {
      hydrate: hydrateDocuments,
    });
    const history = new VersionHistory(dataSource, pageTokens);
    const releaser = new BlobReleaser(dataSource, blobs, logger);
    const fileSide = fileParts({
      dataSource,
      pageTokens,
      blobs,
      releaser,
      directory,
      maxFileBytes: config.maxFileBytes,
      trashRetentionDays: config.trashRetentionDays,
    });
    built = {
      store,
      history,
      documents: new DocumentService(dataSource, store, history, config.trashRetentionDays),
      shares: new ShareService(dataSource, store, directory),
      files: fileSide.files,
      fileParts: fileSide,
      releaser,
      purger: new TrashPurger(dataSource, store, logger),
    };
    return built;
  };

  return {
    name: 'content',
    ...database,
    aggregates: [documentAggregate, ...FILE_AGGREGATES],
    parts: () => {
      if (!built) throw new Error('the content service has not started');
      return built;
    },
    bind: (runtime) => {
      const { documents, shares, history, fileParts: fileSide } = parts(runtime);
      return [
        {
          name: 'nexus.content.v1.DocumentService',
          definition: contentV1.DocumentServiceService,
          implementation: documentServiceHandlers(runtime.rpc, documents, shares, history),
        },
        {
          name: 'nexus.content.v1.FileService',
          definition: contentV1.FileServiceService,
          implementation: fileServiceHandlers(runtime.rpc, fileSide, config.maxFileBytes),
        },
      ];
    },
    consume: async (runtime) => {
      const { documents, shares, fileParts: fileSide } = parts(runtime);
      const handler = new UserDeletedHandler(documents, shares, fileSide, runtime.logger);
      return Promise.all([
        runEventConsumer({
          kafka: runtime.kafka,
          dataSource: runtime.dataSource,
          logger: runtime.logger,
          service: 'content',
          groupId: 'nexus-content',
          topics: [USER_TOPIC],
          handle: (event, tx) => handler.handle(event, tx),
        }),
      ]);
    },
    background: (runtime) => {
      const { purger, releaser, fileParts: fileSide } = parts(runtime);
      return [
        startPeriodicJob({
          name: 'content-maintenance',
          intervalMs: config.maintenanceIntervalMs,
          logger: runtime.logger,
          run: async () => {
            await purger.purgeExpired();
            await fileSide.trash.purgeExpired();
            await releaser.releasePending();
          },
        }),
        { stop: async () => directory?.close() },
      ];
    },
  };
}
