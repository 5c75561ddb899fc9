import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { DocumentEntity } from './document.entity';
import { toDocumentMessage } from './document.mapping';

/**
 * Events on `nexus.content.document` carry the API's Document message in
 * proto3 JSON, shares included: a share granted, changed or revoked is an
 * `updated` event of the document whose `changed` names `shares`.
 */
export const documentAggregate = defineAggregate<DocumentEntity>({
  service: 'content',
  name: 'document',
  toResource: (document) => contentV1.Document.toJSON(toDocumentMessage(document)) as JsonObject,
});
