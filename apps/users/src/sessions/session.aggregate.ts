import { defineAggregate, type JsonObject } from '@nexus/db';
import { usersV1 } from '@nexus/proto';
import type { SessionEntity } from './session.entity';
import { toSessionMessage } from './session.mapping';

/** Events on `nexus.users.session` (created, refreshed, ended) carry the Session message. */
export const sessionAggregate = defineAggregate<SessionEntity>({
  service: 'users',
  name: 'session',
  toResource: (session) => usersV1.Session.toJSON(toSessionMessage(session)) as JsonObject,
});
