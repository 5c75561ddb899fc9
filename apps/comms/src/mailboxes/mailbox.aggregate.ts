import { defineAggregate, type JsonObject } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { MailboxEntity } from './mailbox.entity';
import { toMailboxMessage } from './mailbox.mapping';

/** Events on `nexus.comms.mailbox`: the API's Mailbox, without counts. */
export const mailboxAggregate = defineAggregate<MailboxEntity>({
  service: 'comms',
  name: 'mailbox',
  toResource: (mailbox) => commsV1.Mailbox.toJSON(toMailboxMessage(mailbox)) as JsonObject,
});
