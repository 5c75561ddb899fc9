import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import { AggregateStore, type PageTokenCodec } from '@nexus/db';
import { shareHydrator } from '../sharing/share-rows';
import type { BlobReleaser } from './blob-releaser';
import type { BlobStorage } from './blob-storage';
import { FileShareEntity } from './file-share.entity';
import { FileTrash } from './file-trash';
import { fileAggregate } from './file.aggregate';
import { FileEntity } from './file.entity';
import type { FileParts } from './file.grpc';
import { FileService } from './file.service';
import { FolderShareEntity } from './folder-share.entity';
import { folderAggregate } from './folder.aggregate';
import { FolderEntity } from './folder.entity';
import { FolderService } from './folder.service';
import { linkShareAggregate } from './link-share.aggregate';
import { LinkShareEntity } from './link-share.entity';
import { LinkShareService } from './link-share.service';
import { fileGrants, folderGrants } from './sharing';

/** The aggregates of the files part: their topics are the service's. */
export const FILE_AGGREGATES = [fileAggregate, folderAggregate, linkShareAggregate];

/** Files, their folders, shares, links and trash, over one data source. */
export function fileParts(deps: {
  dataSource: DataSource;
  pageTokens: PageTokenCodec;
  blobs: BlobStorage;
  releaser: BlobReleaser;
  directory: UserDirectory;
  maxFileBytes: number;
  trashRetentionDays: number;
  linkPasswordDelaySeconds: number;
}): FileParts {
  const { dataSource, pageTokens, blobs, releaser, directory } = deps;
  const files = new AggregateStore(dataSource, FileEntity, fileAggregate, pageTokens, {
    hydrate: shareHydrator(FileShareEntity, 'file_shares', 'file_id', 'fileId'),
  });
  const folders = new AggregateStore(dataSource, FolderEntity, folderAggregate, pageTokens, {
    hydrate: shareHydrator(FolderShareEntity, 'folder_shares', 'folder_id', 'folderId'),
  });
  const links = new AggregateStore(dataSource, LinkShareEntity, linkShareAggregate, pageTokens, {
    resourceName: 'link share',
  });
  return {
    files: new FileService(dataSource, { files, folders }, blobs, releaser, {
      maxFileBytes: deps.maxFileBytes,
    }),
    trash: new FileTrash(dataSource, files, links, releaser, deps.trashRetentionDays),
    fileShares: fileGrants(dataSource, files, directory),
    folders: new FolderService(dataSource, folders),
    folderShares: folderGrants(dataSource, folders, directory),
    links: new LinkShareService(dataSource, files, links, blobs, deps.linkPasswordDelaySeconds),
  };
}
