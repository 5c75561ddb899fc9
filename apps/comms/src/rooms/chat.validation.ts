import { z } from 'zod';
import { timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema, searchQuerySchema } from '@nexus/grpc';
import { commsV1 } from '@nexus/proto';
import { canonicalEmoji } from '../messages/reaction-emoji';
import { attachmentIds, etag, idSchema, optionalUuid, requestId, uuid } from '../validation';
import type { RoomKind } from './chat-room.entity';

/** Request schemas of ChatService. */

const KIND_OF_PROTO: Partial<Record<commsV1.RoomKind, RoomKind>> = {
  [commsV1.RoomKind.ROOM_KIND_CHANNEL]: 'channel',
  [commsV1.RoomKind.ROOM_KIND_PRIVATE]: 'private',
  [commsV1.RoomKind.ROOM_KIND_DIRECT]: 'direct',
};

const kind = z.number().transform((value, ctx) => {
  const named = KIND_OF_PROTO[value as commsV1.RoomKind];
  if (!named) ctx.addIssue({ code: 'custom', message: 'must be CHANNEL, PRIVATE or DIRECT' });
  return named as RoomKind;
});
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');
const topic = z.string().trim().max(1000, 'must be at most 1000 characters');
const text = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(40_000, 'must be at most 40,000 characters');
const required = { error: 'is required' };

export const createRoomSchema = z
  .object({
    room: z.object(
      { name: z.string().trim().max(100, 'must be at most 100 characters'), kind, topic },
      required,
    ),
    memberIds: z.array(uuid).max(1000, 'must name at most 1000 users'),
    requestId,
  })
  .superRefine((request, ctx) => {
    if (request.room.kind === 'direct') {
      if (request.memberIds.length !== 1)
        ctx.addIssue({
          code: 'custom',
          path: ['memberIds'],
          message: 'a direct room names exactly one other user',
        });
    } else if (request.room.name.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['room', 'name'], message: 'must not be empty' });
    }
  });

export const ROOM_UPDATABLE = ['name', 'topic'] as const;
export type RoomField = (typeof ROOM_UPDATABLE)[number];

export function updateRoomSchema(paths: ReadonlySet<RoomField>) {
  return z.object(
    {
      room: z.object({
        id: uuid,
        etag,
        name: paths.has('name') ? name : z.unknown().transform(() => undefined),
        topic: paths.has('topic') ? topic : z.unknown().transform(() => undefined),
      }),
    },
    required,
  );
}

export const roomIdSchema = idSchema;
export const deleteRoomSchema = z.object({ id: uuid, etag });
export const roomRefSchema = z.object({ roomId: uuid });
export const inviteSchema = z.object({
  roomId: uuid,
  userIds: z
    .array(uuid)
    .min(1, 'must name at least one user')
    .max(100, 'must name at most 100 users')
    .transform((ids) => [...new Set(ids)]),
});
export const removeMemberSchema = z.object({ roomId: uuid, userId: uuid });

export const listRoomsSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  scope: z
    .enum(commsV1.RoomScope, 'must be a RoomScope value')
    .refine((value) => value !== commsV1.RoomScope.UNRECOGNIZED, 'must be a RoomScope value')
    .transform((value) =>
      value === commsV1.RoomScope.ROOM_SCOPE_PUBLIC_CHANNELS ? 'public_channels' : 'joined',
    ),
  kind: z.number().transform((value, ctx) => {
    if (value === 0) return undefined;
    const named = KIND_OF_PROTO[value as commsV1.RoomKind];
    if (!named) ctx.addIssue({ code: 'custom', message: 'must be a RoomKind value' });
    return named;
  }),
  showDeleted: z.boolean(),
  includeTotalSize: z.boolean(),
});

export const postMessageSchema = z.object({
  roomId: uuid,
  text,
  attachmentIds,
  replyToId: optionalUuid,
  requestId,
});
export const editMessageSchema = z.object({ id: uuid, text, etag });
export const messageIdSchema = idSchema;

/** The emoji in its stored form (reaction-emoji.ts). */
const emoji = z.string().transform((value, ctx) => {
  const canonical = canonicalEmoji(value);
  if (canonical === null)
    ctx.addIssue({
      code: 'custom',
      message: 'must be one emoji or a :shortcode: of 1 to 64 characters a-z 0-9 _ + -',
    });
  return canonical ?? '';
});
export const reactionSchema = z.object({ messageId: uuid, emoji });
export const listPinnedSchema = z.object({
  roomId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
});

export const searchMessagesSchema = z
  .object({
    query: searchQuerySchema,
    roomId: optionalUuid,
    authorId: optionalUuid,
    startTime: timestamp.optional(),
    endTime: timestamp.optional(),
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    includeTotalSize: z.boolean(),
  })
  .refine((query) => !query.startTime || !query.endTime || query.startTime < query.endTime, {
    message: 'must be after start_time',
    path: ['endTime'],
  });
export type MessageSearch = z.output<typeof searchMessagesSchema>;

export const listMessagesSchema = z
  .object({
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    roomId: optionalUuid,
    threadId: optionalUuid,
    includeTotalSize: z.boolean(),
  })
  .refine((query) => (query.roomId === undefined) !== (query.threadId === undefined), {
    message: 'name exactly one of room_id and thread_id',
    path: ['roomId'],
  });
