import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { FolderEntity } from './folder.entity';
import { toFolderMessage } from './folder.mapping';

/**
 * Events on `nexus.content.folder` carry the API's Folder message in proto3
 * JSON, shares included: a share granted, changed or revoked is an `updated`
 * event whose `changed` names `shares`; a move names `parent_id`.
 */
export const folderAggregate = defineAggregate<FolderEntity>({
  service: 'content',
  name: 'folder',
  toResource: (folder) => contentV1.Folder.toJSON(toFolderMessage(folder)) as JsonObject,
});
