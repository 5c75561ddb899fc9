import { defineAggregate, type JsonObject } from '@nexus/db';
import { usersV1 } from '@nexus/proto';
import { toUserMessage } from './user.mapping';
import type { UserEntity } from './user.entity';

/** Events on `nexus.users.user` carry the API's User message in proto3 JSON. */
export const userAggregate = defineAggregate<UserEntity>({
  service: 'users',
  name: 'user',
  toResource: (user) => usersV1.User.toJSON(toUserMessage(user)) as JsonObject,
});
