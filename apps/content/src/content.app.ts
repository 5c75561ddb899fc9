import { UserDirectory } from '@nexus/clients';
import { AggregateStore, CrudRepository } from '@nexus/db';
import { runEventConsumer } from '@nexus/events';
import { contentV1 } from '@nexus/proto';
import { startPeriodicJob, type ServiceRuntime, type ServiceSpec } from '@nexus/runtime';
import { attachmentGrantAggregate } from './attachment-grants/attachment-grant.aggregate';
import {
  AttachmentGrantEvents,
  CHAT_ROOM_TOPIC,
} from './attachment-grants/attachment-grant.consumer';
import { attachmentAccessHandlers } from './attachment-grants/attachment-grant.grpc';
import { AttachmentGrantService } from './attachment-grants/attachment-grant.service';
import { USER_TOPIC, UserDeletedHandler } from './cascade/user-deleted.handler';
import type { ContentConfig } from './config';
import { database } from './database';
import { documentAggregate } from './documents/document.aggregate';
import { DocumentEntity } from './documents/document.entity';
import { documentServiceHandlers } from './documents/document.grpc';
import { documentWatchHandlers } from './documents/document-watch';
import { DocumentService } from './documents/document.service';
import { hydrateDocuments } from './documents/document.store';
import { ShareService } from './documents/share.service';
import { TrashPurger } from './documents/trash-purger';
import { VersionHistory } from './documents/version-history';
import { VersionPruner } from './documents/version-pruner';
import { VersionService } from './documents/version.service';
import { commentAggregate } from './documents/comments/comment.aggregate';
import { CommentEntity } from './documents/comments/comment.entity';
import { commentHandlers } from './documents/comments/comment.grpc';
import { CommentService } from './documents/comments/comment.service';
import { CommentStore } from './documents/comments/comment.store';
import { documentVersionAggregate } from './documents/document-version.aggregate';
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
  /** Access to files through the messages that carry them. */
  grants: AttachmentGrantService;
  releaser: BlobReleaser;
  purger: TrashPurger;
  versions: VersionService;
  comments: CommentService;
  /** Version retention. */
  pruner: VersionPruner;
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
    const history = new VersionHistory(dataSource, pageTokens, config.versions.snapshotEvery);
    const documents = new DocumentService(dataSource, store, history, config.trashRetentionDays);
    const releaser = new BlobReleaser(dataSource, blobs, logger);
    const fileSide = fileParts({
      dataSource,
      pageTokens,
      blobs,
      releaser,
      directory,
      maxFileBytes: config.maxFileBytes,
      trashRetentionDays: config.trashRetentionDays,
      linkPasswordDelaySeconds: config.linkPasswordDelaySeconds,
    });
    built = {
      store,
      history,
      documents,
      shares: new ShareService(dataSource, store, directory),
      files: fileSide.files,
      fileParts: fileSide,
      grants: new AttachmentGrantService(dataSource, fileSide.files),
      releaser,
      purger: new TrashPurger(dataSource, store, logger),
      versions: new VersionService(dataSource, documents, history),
      comments: new CommentService(
        dataSource,
        store,
        new CrudRepository(dataSource, CommentEntity, commentAggregate, pageTokens, 'comment'),
        new CommentStore(dataSource, pageTokens),
        directory,
      ),
      pruner: new VersionPruner(dataSource, history, config.versions, logger),
    };
    return built;
  };

  return {
    name: 'content',
    ...database,
    aggregates: [
      documentAggregate,
      documentVersionAggregate,
      commentAggregate,
      ...FILE_AGGREGATES,
      attachmentGrantAggregate,
    ],
    // Every replica follows its changes, for WatchDocument.
    live: true,
    parts: () => {
      if (!built) throw new Error('the content service has not started');
      return built;
    },
    bind: (runtime) => {
      const { documents, shares, versions, comments, fileParts: fileSide, grants } = parts(runtime);
      return [
        {
          name: 'nexus.content.v1.DocumentService',
          definition: contentV1.DocumentServiceService,
          implementation: {
            ...documentServiceHandlers(
              runtime.rpc,
              documents,
              shares,
              versions,
              commentHandlers(runtime.rpc, comments),
            ),
            ...documentWatchHandlers(runtime.rpc, runtime.live, documents),
          },
        },
        {
          name: 'nexus.content.v1.FileService',
          definition: contentV1.FileServiceService,
          implementation: fileServiceHandlers(runtime.rpc, fileSide, config.maxFileBytes),
        },
        {
          name: 'nexus.content.v1.AttachmentAccessService',
          definition: contentV1.AttachmentAccessServiceService,
          implementation: attachmentAccessHandlers(runtime.rpc, grants),
        },
      ];
    },
    consume: async (runtime) => {
      const { documents, shares, fileParts: fileSide } = parts(runtime);
      const handler = new UserDeletedHandler(documents, shares, fileSide, runtime.logger);
      const attachmentGrants = new AttachmentGrantEvents();
      return Promise.all([
        runEventConsumer({
          kafka: runtime.kafka,
          dataSource: runtime.dataSource,
          logger: runtime.logger,
          service: 'content',
          groupId: 'nexus-content',
          topics: [USER_TOPIC, CHAT_ROOM_TOPIC],
          handle: async (event, tx) => {
            await handler.handle(event, tx);
            await attachmentGrants.handle(event, tx);
          },
        }),
      ]);
    },
    background: (runtime) => {
      const { purger, releaser, pruner, fileParts: fileSide } = parts(runtime);
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
        startPeriodicJob({
          name: 'document-version-retention',
          intervalMs: config.maintenanceIntervalMs,
          logger: runtime.logger,
          run: async () => {
            await pruner.pruneExpired();
          },
        }),
        { stop: async () => directory?.close() },
      ];
    },
  };
}
