import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import { toVersionMessage } from './document.mapping';
import type { DocumentVersion } from './version-history';

/** A version as its events name it: the document's id is the subject, so a document's versions stay in order. */
export interface VersionEventSubject extends DocumentVersion {
  id: string;
}

/**
 * Events on `nexus.content.document-version`: `updated` when a version is
 * marked or unmarked keep-forever, `deleted` when retention prunes it. The
 * DocumentVersion message without its content: the document's own event
 * carried that content when the version was made, and a pruning run would
 * otherwise publish up to 1 MiB per pruned version.
 */
export const documentVersionAggregate = defineAggregate<VersionEventSubject>({
  service: 'content',
  name: 'document-version',
  toResource: (version) =>
    contentV1.DocumentVersion.toJSON({
      ...toVersionMessage(version),
      content: undefined,
    }) as JsonObject,
});

export function versionEventSubject(version: DocumentVersion): VersionEventSubject {
  return { ...version, id: version.documentId };
}
