import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { LinkShareEntity } from './link-share.entity';
import { toLinkShareMessage } from './link-share.mapping';

/**
 * Events on `nexus.content.link-share` carry the LinkShare message, which
 * has no token and no password: `created`, `deleted` (revoked, or gone with
 * its file) and `downloaded` (download_count one higher).
 */
export const linkShareAggregate = defineAggregate<LinkShareEntity>({
  service: 'content',
  name: 'link-share',
  toResource: (link) => contentV1.LinkShare.toJSON(toLinkShareMessage(link)) as JsonObject,
});
