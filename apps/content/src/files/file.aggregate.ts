import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { FileEntity } from './file.entity';
import { toFileMessage } from './file.mapping';

/**
 * Events on `nexus.content.file` carry the API's File message in proto3
 * JSON, shares included: a share granted, changed or revoked is an `updated`
 * event whose `changed` names `shares`; DeleteFile is `deleted` with
 * delete_time set (the trash), UndeleteFile `restored`, PurgeFile and the
 * retention job `deleted` with `after` null.
 */
export const fileAggregate = defineAggregate<FileEntity>({
  service: 'content',
  name: 'file',
  toResource: (file) => contentV1.File.toJSON(toFileMessage(file)) as JsonObject,
});
