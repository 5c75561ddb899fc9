import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import type { PageTokenCodec } from '@nexus/db';
import type { AttachmentChecker } from '../attachments/attachment-checker';
import type { DeletedUsers } from '../directory/deleted-users';
import type { ChatRoomStore } from '../rooms/chat-room.store';
import { ChatMessageService } from './chat-message.service';
import { ChatMessageStore } from './chat-message.store';
import { ChatMentions } from './chat-mentions';
import { ChatPinService } from './chat-pins.service';
import { ChatReactionService } from './chat-reactions.service';
import { MessageReader } from './message-reader';

/** The message side of chat, wired once (the service and the benchmarks build it the same way). */
export function chatMessaging(
  dataSource: DataSource,
  pageTokens: PageTokenCodec,
  peers: {
    rooms: ChatRoomStore;
    directory: UserDirectory;
    attachments: AttachmentChecker;
    deletedUsers: DeletedUsers;
  },
) {
  const store = new ChatMessageStore(dataSource, pageTokens);
  const reader = new MessageReader(store, peers.rooms, peers.deletedUsers);
  return {
    messages: new ChatMessageService(
      store,
      peers.rooms,
      reader,
      peers.attachments,
      new ChatMentions(peers.directory),
    ),
    reactions: new ChatReactionService(store, reader),
    pins: new ChatPinService(store, peers.rooms, reader),
  };
}
