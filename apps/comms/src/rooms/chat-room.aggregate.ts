import { defineAggregate, type JsonObject } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { ChatRoomEntity } from './chat-room.entity';
import { toRoomMessage } from './chat-room.mapping';

/** Events on `nexus.comms.chat-room`: the room with its members (membership changes are room changes). */
export const chatRoomAggregate = defineAggregate<ChatRoomEntity>({
  service: 'comms',
  name: 'chat-room',
  toResource: (room) => commsV1.ChatRoom.toJSON(toRoomMessage(room)) as JsonObject,
});
