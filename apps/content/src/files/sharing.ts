import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import type { AggregateStore } from '@nexus/db';
import { ShareGrants } from '../sharing/share-grants';
import { checkManageFile, checkReadFile, fileAccessOf } from './file-access';
import { FileShareEntity } from './file-share.entity';
import type { FileEntity } from './file.entity';
import { checkManageFolder, checkReadFolder, folderAccessOf } from './folder-access';
import { FolderShareEntity } from './folder-share.entity';
import type { FolderEntity } from './folder.entity';

export type FileGrants = ShareGrants<FileEntity, FileShareEntity>;
export type FolderGrants = ShareGrants<FolderEntity, FolderShareEntity>;

/** Shares of files: the owner and admins grant; every reader of the file sees them. */
export function fileGrants(
  dataSource: DataSource,
  files: AggregateStore<FileEntity>,
  directory: UserDirectory,
): FileGrants {
  return new ShareGrants(dataSource, files, directory, {
    label: 'file',
    share: FileShareEntity,
    rootKey: 'fileId',
    checkManage: async (manager, caller, file) =>
      checkManageFile(caller, await fileAccessOf(manager, caller, file), file.id),
    checkRead: async (manager, caller, file) =>
      checkReadFile(await fileAccessOf(manager, caller, file), file.id),
  });
}

/** Shares of folders: the owner and admins grant; every reader of the folder sees them. */
export function folderGrants(
  dataSource: DataSource,
  folders: AggregateStore<FolderEntity>,
  directory: UserDirectory,
): FolderGrants {
  return new ShareGrants(dataSource, folders, directory, {
    label: 'folder',
    share: FolderShareEntity,
    rootKey: 'folderId',
    checkManage: async (manager, caller, folder) =>
      checkManageFolder(caller, await folderAccessOf(manager, caller, folder), folder.id),
    checkRead: async (manager, caller, folder) =>
      checkReadFolder(await folderAccessOf(manager, caller, folder), folder.id),
  });
}
