import { defineAggregate, type JsonObject } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { ChatMessageEntity } from './chat-message.entity';
import { toChatMessage } from './chat-message.mapping';

/** Events on `nexus.comms.chat-message`: the API's ChatMessage (never a deleted text). */
export const chatMessageAggregate = defineAggregate<ChatMessageEntity>({
  service: 'comms',
  name: 'chat-message',
  toResource: (message) => commsV1.ChatMessage.toJSON(toChatMessage(message)) as JsonObject,
});
