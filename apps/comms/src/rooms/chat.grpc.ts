import { type RpcKit, checkUpdateMask, searchResponse } from '@nexus/grpc';
import { validate } from '@nexus/core';
import type { commsV1 } from '@nexus/proto';
import { reactionAndPinHandlers } from '../messages/chat-message-extras.grpc';
import { toChatMessage } from '../messages/chat-message.mapping';
import type { ChatMessageService } from '../messages/chat-message.service';
import type { ChatPinService } from '../messages/chat-pins.service';
import type { ChatReactionService } from '../messages/chat-reactions.service';
import { toRoomMessage } from './chat-room.mapping';
import type { LiveChatMethod } from './room-watch';
import type { ChatRoomService } from './chat-room.service';
import {
  ROOM_UPDATABLE,
  createRoomSchema,
  deleteRoomSchema,
  editMessageSchema,
  inviteSchema,
  listMessagesSchema,
  listRoomsSchema,
  messageIdSchema,
  postMessageSchema,
  removeMemberSchema,
  roomIdSchema,
  roomRefSchema,
  searchMessagesSchema,
  updateRoomSchema,
} from './chat.validation';

/** nexus.comms.v1.ChatService: decode, validate, call the domain, encode. */
export function chatServiceHandlers(
  rpc: RpcKit,
  rooms: ChatRoomService,
  messages: ChatMessageService,
  more: { reactions: ChatReactionService; pins: ChatPinService },
): Omit<commsV1.ChatServiceServer, LiveChatMethod> {
  return {
    ...reactionAndPinHandlers(rpc, more.reactions, more.pins),

    createRoom: rpc.unary('CreateRoom', async (request: commsV1.CreateRoomRequest, ctx) => {
      const caller = ctx.caller;
      const { room, memberIds, requestId } = validate(createRoomSchema, request);
      return toRoomMessage(
        await rooms.create(
          caller,
          room,
          memberIds,
          ctx.idempotencyKey(requestId, request),
          ctx.deadline,
        ),
      );
    }),

    getRoom: rpc.unary('GetRoom', async (request: commsV1.GetRoomRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(roomIdSchema, request);
      const { room, view } = await rooms.get(caller, id);
      return toRoomMessage(room, view);
    }),

    listRooms: rpc.unary('ListRooms', async (request: commsV1.ListRoomsRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listRoomsSchema, request);
      const page = await rooms.list(caller, {
        filters: { scope: query.scope, kind: query.kind },
        showDeleted: query.showDeleted,
        pageSize: query.pageSize,
        pageToken: query.pageToken,
        includeTotal: query.includeTotalSize,
      });
      return {
        rooms: page.items.map(({ room, view }) => toRoomMessage(room, view)),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    updateRoom: rpc.unary('UpdateRoom', async (request: commsV1.UpdateRoomRequest, ctx) => {
      const caller = ctx.caller;
      const paths = checkUpdateMask(request.updateMask, ROOM_UPDATABLE);
      const { room } = validate(updateRoomSchema(paths), request);
      return toRoomMessage(
        await rooms.update(caller, room.id, room.etag, { name: room.name, topic: room.topic }),
      );
    }),

    deleteRoom: rpc.unary('DeleteRoom', async (request: commsV1.DeleteRoomRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(deleteRoomSchema, request);
      return toRoomMessage(await rooms.archive(caller, id, etag));
    }),

    undeleteRoom: rpc.unary('UndeleteRoom', async (request: commsV1.UndeleteRoomRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(roomIdSchema, request);
      return toRoomMessage(await rooms.restore(caller, id));
    }),

    joinRoom: rpc.unary('JoinRoom', async (request: commsV1.JoinRoomRequest, ctx) => {
      const caller = ctx.caller;
      const { roomId } = validate(roomRefSchema, request);
      return toRoomMessage(await rooms.join(caller, roomId));
    }),

    inviteMembers: rpc.unary(
      'InviteMembers',
      async (request: commsV1.InviteMembersRequest, ctx) => {
        const caller = ctx.caller;
        const { roomId, userIds } = validate(inviteSchema, request);
        return toRoomMessage(await rooms.invite(caller, roomId, userIds, ctx.deadline));
      },
    ),

    leaveRoom: rpc.unary('LeaveRoom', async (request: commsV1.LeaveRoomRequest, ctx) => {
      const caller = ctx.caller;
      const { roomId } = validate(roomRefSchema, request);
      await rooms.leave(caller, roomId);
      return {};
    }),

    removeMember: rpc.unary('RemoveMember', async (request: commsV1.RemoveMemberRequest, ctx) => {
      const caller = ctx.caller;
      const { roomId, userId } = validate(removeMemberSchema, request);
      return toRoomMessage(await rooms.removeMember(caller, roomId, userId));
    }),

    markRoomRead: rpc.unary('MarkRoomRead', async (request: commsV1.MarkRoomReadRequest, ctx) => {
      const caller = ctx.caller;
      const { roomId } = validate(roomRefSchema, request);
      await rooms.markRead(caller, roomId);
      return { unreadCount: 0, mentionCount: 0 };
    }),

    postMessage: rpc.unary('PostMessage', async (request: commsV1.PostMessageRequest, ctx) => {
      const caller = ctx.caller;
      const { requestId, ...input } = validate(postMessageSchema, request);
      return toChatMessage(
        await messages.post(caller, input, ctx.idempotencyKey(requestId, request), ctx.deadline),
      );
    }),

    editMessage: rpc.unary('EditMessage', async (request: commsV1.EditMessageRequest, ctx) => {
      const caller = ctx.caller;
      const { id, text, etag } = validate(editMessageSchema, request);
      return toChatMessage(await messages.edit(caller, id, text, etag, ctx.deadline));
    }),

    deleteMessage: rpc.unary(
      'DeleteMessage',
      async (request: commsV1.DeleteMessageRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(messageIdSchema, request);
        return toChatMessage(await messages.delete(caller, id));
      },
    ),

    listMessages: rpc.unary('ListMessages', async (request: commsV1.ListMessagesRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listMessagesSchema, request);
      const scope = query.roomId ? { roomId: query.roomId } : { threadId: query.threadId! };
      const page = await messages.list(caller, scope, {
        pageSize: query.pageSize,
        pageToken: query.pageToken,
        includeTotal: query.includeTotalSize,
      });
      return {
        messages: page.items.map(toChatMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    searchMessages: rpc.unary(
      'SearchMessages',
      async (request: commsV1.SearchMessagesRequest, ctx) => {
        const page = await messages.search(ctx.caller, validate(searchMessagesSchema, request));
        return searchResponse(page, (item, snippet) => ({ message: toChatMessage(item), snippet }));
      },
    ),

    getEditHistory: rpc.unary(
      'GetEditHistory',
      async (request: commsV1.GetEditHistoryRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(messageIdSchema, request);
        const edits = await messages.history(caller, id);
        return {
          edits: edits.map((edit) => ({
            previousText: edit.previousText,
            editorId: edit.editorId,
            editTime: edit.editedAt,
          })),
        };
      },
    ),
  };
}
