import { KitTables1795678000000 } from './1795678000000-kit-tables';
import { CreateComms1795680309043 } from './1795680309043-create-comms';
import { KitRequestIds1796279400000 } from './1796279400000-kit-request-ids';
import { SearchMessages1796313232284 } from './1796313232284-search-messages';
import { SearchEmails1796314137707 } from './1796314137707-search-emails';
import { KitOutboxTraceparent1796315812800 } from './1796315812800-kit-outbox-traceparent';
import { KitChangeLog1796327285372 } from './1796327285372-kit-change-log';
import { MailboxesAndKeywords1796327398109 } from './1796327398109-mailboxes-and-keywords';
import { ChatMentionsReactionsPins1796327405981 } from './1796327405981-chat-mentions-reactions-pins';

/** Every migration of the comms schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [
  KitTables1795678000000,
  CreateComms1795680309043,
  KitRequestIds1796279400000,
  SearchMessages1796313232284,
  SearchEmails1796314137707,
  KitOutboxTraceparent1796315812800,
  KitChangeLog1796327285372,
  MailboxesAndKeywords1796327398109,
  ChatMentionsReactionsPins1796327405981,
];
