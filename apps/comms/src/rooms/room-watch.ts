import { z } from 'zod';
import { KitError, findMentions, isAdmin, validate, type Principal } from '@nexus/core';
import type { JsonObject, JsonValue } from '@nexus/db';
import type { EphemeralPublisher, PlatformEvent } from '@nexus/events';
import { type RpcKit } from '@nexus/grpc';
import { commsV1 } from '@nexus/proto';
import type { LiveStreams } from '@nexus/runtime';
import { chatMessageAggregate } from '../messages/chat-message.aggregate';
import { chatRoomAggregate } from './chat-room.aggregate';
import type { ChatRoomService, RoomCounts } from './chat-room.service';
import { readMarkerAggregate } from './read-marker.aggregate';

const TYPING_TOPIC = 'nexus.comms.typing';
/** How long a typing indicator shows; clients send again while the user types. */
const TYPING_TTL_MS = 6_000;

const cursor = z.string().max(200, 'must be at most 200 characters');
const watchRoomSchema = z.object({ roomId: z.uuid('must be a UUID'), cursor });
const watchMyRoomsSchema = z.object({ cursor });
const sendTypingSchema = z.object({ roomId: z.uuid('must be a UUID') });

interface LiveChatParts {
  live: LiveStreams;
  signals: EphemeralPublisher;
  rooms: ChatRoomService;
}

export type LiveChatMethod = 'watchRoom' | 'watchMyRooms' | 'sendTyping';

/** WatchRoom, WatchMyRooms and SendTyping: chat's live streams on the kit's LiveStreams. */
export function liveChatHandlers(
  rpc: RpcKit,
  { live, signals, rooms }: LiveChatParts,
): Pick<commsV1.ChatServiceServer, LiveChatMethod> {
  return {
    watchRoom: rpc.serverStream(
      'WatchRoom',
      async (call: Parameters<commsV1.ChatServiceServer['watchRoom']>[0], ctx) => {
        const caller = ctx.caller;
        const request = validate(watchRoomSchema, call.request);
        await live.serve(call, ctx, {
          ...roomStream(caller, request.roomId, request.cursor),
          // Once listening: a removal committed after this check reaches the stream.
          opened: async () => void (await rooms.get(caller, request.roomId)),
        });
      },
    ),

    watchMyRooms: rpc.serverStream(
      'WatchMyRooms',
      async (call: Parameters<commsV1.ChatServiceServer['watchMyRooms']>[0], ctx) => {
        const caller = ctx.caller;
        const request = validate(watchMyRoomsSchema, call.request);
        const counts = new Map<string, RoomCounts>();
        await live.serve(call, ctx, {
          ...myRoomsStream(caller, counts, request.cursor, rooms),
          // Counted once listening, so no message falls between count and stream.
          opened: async () => {
            for (const [id, count] of await rooms.memberCounts(caller)) counts.set(id, count);
          },
        });
      },
    ),

    sendTyping: rpc.unary('SendTyping', async (request: commsV1.SendTypingRequest, ctx) => {
      const caller = ctx.caller;
      const { roomId } = validate(sendTypingSchema, request);
      await rooms.checkCanPost(caller, roomId);
      const typing = {
        roomId,
        userId: caller.userId,
        expireTime: new Date(Date.now() + TYPING_TTL_MS),
      };
      await signals.publish({
        topic: TYPING_TOPIC,
        verb: 'started',
        subject: roomId,
        actor: caller.userId,
        after: commsV1.TypingIndicator.toJSON(typing) as JsonObject,
      });
      return {};
    }),
  };
}

/**
 * One room's changes. The room's own events keep the caller's access up to
 * date: removed from a private room (and not an admin), the stream ends
 * with NOT_FOUND, what GetRoom then answers.
 */
function roomStream(caller: Principal, roomId: string, from: string) {
  const belongs = (event: PlatformEvent): boolean => {
    switch (event.topic) {
      case chatMessageAggregate.topic:
        return verbOf(event) !== 'mentioned' && resourceOf(event)?.roomId === roomId;
      case chatRoomAggregate.topic:
      case readMarkerAggregate.topic:
      case TYPING_TOPIC:
        return event.subject === roomId;
      default:
        return false;
    }
  };
  return {
    cursor: from,
    selects: belongs,
    itemFor: (event: PlatformEvent, cursor: string): commsV1.WatchRoomResponse => {
      const item = { ...changeItem(event, cursor), actorId: event.data.actor ?? '' };
      const resource = resourceOf(event) ?? {};
      switch (event.topic) {
        case chatRoomAggregate.topic: {
          const room = commsV1.ChatRoom.fromJSON(resource);
          if (!canReadRoom(caller, room)) throw KitError.notFound('chat room', roomId);
          return { ...item, resource: { $case: 'room', value: room } };
        }
        case readMarkerAggregate.topic:
          return {
            ...item,
            resource: { $case: 'readMarker', value: commsV1.ReadMarker.fromJSON(resource) },
          };
        case TYPING_TOPIC:
          return {
            ...item,
            verb: 'typing',
            resource: { $case: 'typing', value: commsV1.TypingIndicator.fromJSON(resource) },
          };
        default:
          return {
            ...item,
            resource: { $case: 'message', value: commsV1.ChatMessage.fromJSON(resource) },
          };
      }
    },
    caughtUp: (cursor: string): commsV1.WatchRoomResponse => ({
      verb: 'caught_up',
      cursor,
      actorId: '',
    }),
  };
}

/**
 * The caller's rooms: new messages with counts, their own read markers,
 * rooms joined and left. The set of rooms is the access state: a message
 * is sent only while the caller is a member of its room.
 */
function myRoomsStream(
  caller: Principal,
  counts: Map<string, RoomCounts>,
  from: string,
  rooms: ChatRoomService,
) {
  const me = caller.userId;
  return {
    cursor: from,
    selects: (event: PlatformEvent): boolean => {
      switch (event.topic) {
        case chatMessageAggregate.topic:
          return verbOf(event) === 'created' && counts.has(textOf(resourceOf(event)?.roomId));
        case chatRoomAggregate.topic:
          return counts.has(event.subject) || memberIds(resourceOf(event)).includes(me);
        case readMarkerAggregate.topic:
          return resourceOf(event)?.userId === me && counts.has(event.subject);
        default:
          return false;
      }
    },
    itemFor: async (
      event: PlatformEvent,
      cursor: string,
    ): Promise<commsV1.WatchMyRoomsResponse | null> => {
      const item = { ...EMPTY_MY_ROOMS_ITEM, ...changeItem(event, cursor), roomId: event.subject };
      const resource = resourceOf(event);
      if (event.topic === chatMessageAggregate.topic) {
        const message = commsV1.ChatMessage.fromJSON(resource ?? {});
        const room = counts.get(message.roomId);
        if (!room) return null;
        if (message.authorId !== me) {
          room.unreadCount += 1;
          const mentions = findMentions(message.text);
          if (mentions.everyone || mentions.userIds.includes(me)) room.mentionCount += 1;
        }
        return { ...item, verb: 'message', roomId: message.roomId, message, ...room };
      }
      if (event.topic === readMarkerAggregate.topic) {
        counts.set(event.subject, { unreadCount: 0, mentionCount: 0 });
        return { ...item, verb: 'read', unreadCount: 0, mentionCount: 0 };
      }
      const member = memberIds(resource).includes(me);
      if (member && !counts.has(event.subject)) {
        const joined = (await rooms.memberCounts(caller, event.subject)).get(event.subject);
        counts.set(event.subject, joined ?? { unreadCount: 0, mentionCount: 0 });
        return { ...item, verb: 'joined', ...counts.get(event.subject) };
      }
      if (!member && counts.delete(event.subject)) return { ...item, verb: 'left' };
      return null;
    },
    caughtUp: (cursor: string): commsV1.WatchMyRoomsResponse => ({
      ...EMPTY_MY_ROOMS_ITEM,
      verb: 'caught_up',
      cursor,
    }),
  };
}

const EMPTY_MY_ROOMS_ITEM = {
  roomId: '',
  unreadCount: 0,
  mentionCount: 0,
} satisfies Partial<commsV1.WatchMyRoomsResponse>;

function changeItem(event: PlatformEvent, cursor: string) {
  return {
    verb: verbOf(event),
    cursor,
    changeTime: event.time,
  };
}

function verbOf(event: PlatformEvent): string {
  return event.type.slice(event.topic.length + 1);
}

/** The resource an event carries: after the change, or before a hard delete. */
function resourceOf(event: PlatformEvent): JsonObject | null {
  return event.data.after ?? event.data.before;
}

function memberIds(room: JsonObject | null): string[] {
  const members = Array.isArray(room?.members) ? room.members : [];
  return members.map((member) => textOf((member as JsonObject | null)?.userId));
}

function textOf(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** chat-access.ts's canRead, over the room as its events carry it. */
function canReadRoom(caller: Principal, room: commsV1.ChatRoom): boolean {
  return (
    room.kind === commsV1.RoomKind.ROOM_KIND_CHANNEL ||
    room.members.some((member) => member.userId === caller.userId) ||
    isAdmin(caller)
  );
}
