import type { SelectQueryBuilder } from 'typeorm';
import { isAdmin, type Principal } from '@nexus/core';
import type { MessageSearch } from '../rooms/chat.validation';
import type { ChatMessageEntity } from './chat-message.entity';

export type MessageSearchFilters = Omit<
  MessageSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize'
>;

/**
 * The messages a search may show the caller: not deleted, in a room that is
 * not archived and that the caller can read (chat-access.ts canRead: a
 * channel, a room they are a member of, or any room for an admin), narrowed
 * by the request's filters.
 */
export function readableMessages(
  qb: SelectQueryBuilder<ChatMessageEntity>,
  caller: Principal,
  filters: MessageSearchFilters,
): void {
  qb.andWhere('"e"."deleted_at" IS NULL');
  const readable = isAdmin(caller)
    ? ''
    : `AND ("r"."kind" = 'channel' OR EXISTS (
         SELECT 1 FROM "comms"."chat_members" "m"
         WHERE "m"."room_id" = "r"."id" AND "m"."user_id" = :searchCaller))`;
  qb.andWhere(
    `EXISTS (SELECT 1 FROM "comms"."chat_rooms" "r"
       WHERE "r"."id" = "e"."room_id" AND "r"."deleted_at" IS NULL ${readable})`,
    { searchCaller: caller.userId },
  );
  if (filters.roomId) qb.andWhere('"e"."room_id" = :roomId', { roomId: filters.roomId });
  if (filters.authorId) qb.andWhere('"e"."author_id" = :authorId', { authorId: filters.authorId });
  if (filters.startTime)
    qb.andWhere('"e"."created_at" >= :startTime', { startTime: filters.startTime });
  if (filters.endTime) qb.andWhere('"e"."created_at" < :endTime', { endTime: filters.endTime });
}
