import { defineAggregate, type JsonObject } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { EmailEntity } from './email.entity';
import { toEmailMessage } from './email.mapping';

/** Events on `nexus.comms.email`: one per copy, carrying the API's Email message. */
export const emailAggregate = defineAggregate<EmailEntity>({
  service: 'comms',
  name: 'email',
  toResource: (email) => commsV1.Email.toJSON(toEmailMessage(email)) as JsonObject,
});
