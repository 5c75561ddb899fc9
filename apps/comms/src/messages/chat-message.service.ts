import type { SelectQueryBuilder } from 'typeorm';
import { KitError, uuidv7, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, queryPrepared, type Page, type SearchPage } from '@nexus/db';
import type { AttachmentChecker } from '../attachments/attachment-checker';
import { grantToRoomMembers } from '../attachments/attachment-grants';
import { CommsError } from '../comms.errors';
import {
  checkActive,
  checkCanWrite,
  checkDeleteMessage,
  checkMember,
  checkRead,
} from '../rooms/chat-access';
import type { ChatRoomStore } from '../rooms/chat-room.store';
import { ChatMessageEditEntity } from './chat-message-edit.entity';
import type { ChatMessageEntity } from './chat-message.entity';
import type { ChatMessageStore } from './chat-message.store';
import type { ChatMentions } from './chat-mentions';
import type { MessageSearch } from '../rooms/chat.validation';
import type { MessageReader } from './message-reader';
import { readableMessages } from './message-search';

export type MessageScope = { roomId: string } | { threadId: string };

/**
 * Posting, editing, deleting and reading messages; threads keep their
 * counters on the root. Posts and edits record their mentions (chat-mentions.ts).
 */
export class ChatMessageService {
  constructor(
    private readonly messages: ChatMessageStore,
    private readonly rooms: ChatRoomStore,
    private readonly reader: MessageReader,
    private readonly attachments: AttachmentChecker,
    private readonly mentions: ChatMentions,
  ) {}

  async post(
    caller: Principal,
    input: { roomId: string; text: string; attachmentIds: string[]; replyToId?: string },
    key: IdempotencyKey | undefined,
    deadline: Date | undefined,
  ): Promise<ChatMessageEntity> {
    checkCanWrite(caller);
    const room = await this.rooms.get(input.roomId);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    checkRead(caller, room, member);
    checkMember(room, member);
    checkActive(room);
    const root = input.replyToId ? await this.threadRoot(input.replyToId, room.id) : null;
    await this.attachments.check(caller, input.attachmentIds, {
      field: 'attachment_ids',
      deadline,
    });
    const mentions = await this.mentions.plan(caller, room, input.text, null, deadline);

    const message = await inTransaction(this.rooms.dataSource, caller.userId, async (tx) => {
      const { entity, created } = await this.messages.create(
        tx,
        async () => {
          // Numbers the message under the room's row lock; the author has read up to it.
          // Both statements run on every post: prepared, of fixed text.
          const numbered = await queryPrepared<{ last_seq: string; archived: boolean }>(
            tx.manager,
            `UPDATE "comms"."chat_rooms" SET "last_seq" = "last_seq" + 1, "last_message_at" = now()
             WHERE "id" = $1 RETURNING "last_seq", "deleted_at" IS NOT NULL AS "archived"`,
            [room.id],
          );
          const seq = numbered[0].last_seq;
          const stillMember = await queryPrepared(
            tx.manager,
            `UPDATE "comms"."chat_members" SET "last_read_seq" = $3 WHERE "room_id" = $1 AND "user_id" = $2
             RETURNING "user_id"`,
            [room.id, caller.userId, seq],
          );
          // Checked again under the lock: a removal or an archive committed since the reads above wins.
          checkMember(room, stillMember.length > 0 ? member : null);
          checkActive({ ...room, deletedAt: numbered[0].archived ? new Date() : null });
          return {
            roomId: room.id,
            seq,
            authorId: caller.userId,
            text: input.text,
            attachmentIds: input.attachmentIds,
            replyToId: root?.id ?? null,
            participantIds: [],
            mentionsRoom: mentions.everyone,
          };
        },
        key,
      );
      if (!created) return entity;
      await grantToRoomMembers(this.attachments, tx.manager, caller, {
        roomId: room.id,
        fileIds: input.attachmentIds,
        deadline,
      });
      await this.mentions.record(tx, this.messages, room, entity, mentions, null);
      if (root) {
        await this.messages.update(tx, root.id, {
          apply: (thread) => {
            thread.replyCount += 1;
            thread.lastReplyAt = entity.createdAt;
            if (!thread.participantIds.includes(caller.userId))
              thread.participantIds = [...thread.participantIds, caller.userId];
          },
        });
      }
      return entity;
    });
    return this.reader.shownOne(caller, message);
  }

  /** A new text; only the mentions it adds notify (chat-mentions.ts). */
  async edit(
    caller: Principal,
    id: string,
    text: string,
    etag: string,
    deadline: Date | undefined,
  ): Promise<ChatMessageEntity> {
    checkCanWrite(caller);
    const { message: current, room } = await this.reader.readable(caller, id);
    if (current.authorId !== caller.userId)
      throw new CommsError('NOT_THE_AUTHOR', 'only the author may edit a message');
    const mentions = await this.mentions.plan(caller, room, text, current.text, deadline);
    const edited = await inTransaction(this.rooms.dataSource, caller.userId, async (tx) => {
      let previousText: string | null = null;
      const message = await this.messages.update(tx, id, {
        etag: etag || undefined,
        apply: async (message) => {
          if (message.deletedAt)
            throw new CommsError('MESSAGE_DELETED', `message ${id} was deleted`);
          if (message.text === text) return;
          previousText = message.text;
          await tx.manager.insert(ChatMessageEditEntity, {
            id: uuidv7(),
            messageId: id,
            previousText: message.text,
            editorId: caller.userId,
            editedAt: new Date(),
          });
          message.text = text;
          message.editCount += 1;
          message.mentionsRoom = mentions.everyone;
        },
      });
      if (previousText !== null)
        await this.mentions.record(tx, this.messages, room, message, mentions, previousText);
      return message;
    });
    return this.reader.shownOne(caller, edited);
  }

  /**
   * Leaves a tombstone: the text and its edit history are gone for every
   * reader, and so are its reactions, its mentions (they no longer count)
   * and its pin.
   */
  async delete(caller: Principal, id: string): Promise<ChatMessageEntity> {
    const { message: current, member } = await this.reader.readable(caller, id);
    checkDeleteMessage(caller, current.authorId, member);
    const deleted = await inTransaction(this.rooms.dataSource, caller.userId, async (tx) => {
      await tx.manager.delete(ChatMessageEditEntity, { messageId: id });
      return this.messages.update(tx, id, {
        verb: 'deleted',
        apply: async (message, applying) => {
          if (message.deletedAt) return;
          message.deletedAt = new Date();
          message.text = '';
          message.attachmentIds = [];
          message.mentionsRoom = false;
          if (message.pinnedAt) await this.messages.uncountPin(tx.manager, message.roomId);
          message.pinnedAt = null;
          message.pinnedBy = null;
          await this.messages.clearChildren(tx.manager, id);
          await applying.reloadChildren();
        },
      });
    });
    return this.reader.shownOne(caller, deleted);
  }

  async list(
    caller: Principal,
    scope: MessageScope,
    page: { pageSize: number; pageToken: string; includeTotal: boolean },
  ): Promise<Page<ChatMessageEntity>> {
    const roomId =
      'roomId' in scope
        ? scope.roomId
        : (await this.reader.readable(caller, scope.threadId)).message.roomId;
    const room = await this.rooms.get(roomId);
    checkRead(caller, room, room.members.find((m) => m.userId === caller.userId) ?? null);
    const result = await this.messages.list({
      filter: (qb) => applyScope(qb, scope),
      filterValues: scope,
      order: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
      pageSize: page.pageSize,
      pageToken: page.pageToken,
      includeTotal: page.includeTotal,
    });
    await this.reader.shown(caller, result.items);
    return result;
  }

  /** Full-text search over the messages of every room the caller can read (canRead, in SQL). */
  async search(caller: Principal, search: MessageSearch): Promise<SearchPage<ChatMessageEntity>> {
    const { query, pageSize, pageToken, includeTotalSize, ...filters } = search;
    const page = await this.messages.search({
      query,
      filter: (qb) => readableMessages(qb, caller, filters),
      filterValues: filters,
      snippetSql: '"e"."text"',
      recency: 'createdAt',
      pageSize,
      pageToken,
      includeTotal: includeTotalSize,
    });
    await this.reader.shown(
      caller,
      page.items.map((hit) => hit.item),
    );
    return page;
  }

  async history(caller: Principal, id: string): Promise<ChatMessageEditEntity[]> {
    await this.reader.readable(caller, id);
    return this.rooms.dataSource.manager.find(ChatMessageEditEntity, {
      where: { messageId: id },
      order: { editedAt: 'ASC', id: 'ASC' },
    });
  }

  /** A reply to a reply joins the root's thread; the root must be in the same room. */
  private async threadRoot(replyToId: string, roomId: string): Promise<ChatMessageEntity> {
    const target = await this.messages.find(replyToId);
    if (!target || target.roomId !== roomId) {
      throw KitError.invalid([
        {
          field: 'reply_to_id',
          description: 'must be a message of this room',
          reason: 'NOT_IN_ROOM',
        },
      ]);
    }
    return target.replyToId ? this.messages.get(target.replyToId) : target;
  }
}

function applyScope(qb: SelectQueryBuilder<ChatMessageEntity>, scope: MessageScope): void {
  if ('roomId' in scope) {
    // Matches the partial index of the room's top level.
    qb.andWhere('e.room_id = :roomId AND e.reply_to_id IS NULL', { roomId: scope.roomId });
  } else {
    qb.andWhere('e.reply_to_id = :threadId', { threadId: scope.threadId });
  }
}
