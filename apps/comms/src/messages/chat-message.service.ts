import type { SelectQueryBuilder } from 'typeorm';
import { KitError, uuidv7, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  queryPrepared,
  type CrudRepository,
  type Page,
  type SearchPage,
} from '@nexus/db';
import type { AttachmentChecker } from '../attachments/attachment-checker';
import { CommsError } from '../comms.errors';
import type { DeletedUsers } from '../directory/deleted-users';
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
import type { MessageSearch } from '../rooms/chat.validation';
import { readableMessages } from './message-search';

export type MessageScope = { roomId: string } | { threadId: string };

/** Posting, editing, deleting and reading messages; threads keep their counters on the root. */
export class ChatMessageService {
  constructor(
    private readonly messages: CrudRepository<ChatMessageEntity>,
    private readonly rooms: ChatRoomStore,
    private readonly deletedUsers: DeletedUsers,
    private readonly attachments: AttachmentChecker,
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
          };
        },
        key,
      );
      if (!created) return entity;
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
    return this.withAuthor(message);
  }

  async edit(
    caller: Principal,
    id: string,
    text: string,
    etag: string,
  ): Promise<ChatMessageEntity> {
    checkCanWrite(caller);
    const current = await this.readable(caller, id);
    if (current.authorId !== caller.userId)
      throw new CommsError('NOT_THE_AUTHOR', 'only the author may edit a message');
    const edited = await inTransaction(this.rooms.dataSource, caller.userId, (tx) =>
      this.messages.update(tx, id, {
        etag: etag || undefined,
        apply: async (message) => {
          if (message.deletedAt)
            throw new CommsError('MESSAGE_DELETED', `message ${id} was deleted`);
          if (message.text === text) return;
          await tx.manager.insert(ChatMessageEditEntity, {
            id: uuidv7(),
            messageId: id,
            previousText: message.text,
            editorId: caller.userId,
            editedAt: new Date(),
          });
          message.text = text;
          message.editCount += 1;
        },
      }),
    );
    return this.withAuthor(edited);
  }

  /** Leaves a tombstone: the text and its edit history are gone for every reader. */
  async delete(caller: Principal, id: string): Promise<ChatMessageEntity> {
    const current = await this.readable(caller, id);
    const member = await this.rooms.member(current.roomId, caller.userId);
    checkDeleteMessage(caller, current.authorId, member);
    const deleted = await inTransaction(this.rooms.dataSource, caller.userId, async (tx) => {
      await tx.manager.delete(ChatMessageEditEntity, { messageId: id });
      return this.messages.update(tx, id, {
        verb: 'deleted',
        apply: (message) => {
          if (message.deletedAt) return;
          message.deletedAt = new Date();
          message.text = '';
          message.attachmentIds = [];
        },
      });
    });
    return this.withAuthor(deleted);
  }

  async list(
    caller: Principal,
    scope: MessageScope,
    page: { pageSize: number; pageToken: string; includeTotal: boolean },
  ): Promise<Page<ChatMessageEntity>> {
    const roomId =
      'roomId' in scope ? scope.roomId : (await this.readable(caller, scope.threadId)).roomId;
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
    await this.withAuthors(result.items);
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
    await this.withAuthors(page.items.map((hit) => hit.item));
    return page;
  }

  async history(caller: Principal, id: string): Promise<ChatMessageEditEntity[]> {
    await this.readable(caller, id);
    return this.rooms.dataSource.manager.find(ChatMessageEditEntity, {
      where: { messageId: id },
      order: { editedAt: 'ASC', id: 'ASC' },
    });
  }

  /** The message, if the caller may read its room (else NOT_FOUND). */
  private async readable(caller: Principal, id: string): Promise<ChatMessageEntity> {
    const message = await this.messages.get(id);
    const room = await this.rooms.get(message.roomId);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    try {
      checkRead(caller, room, member);
    } catch {
      throw KitError.notFound('chat message', id);
    }
    return message;
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

  private async withAuthor(message: ChatMessageEntity): Promise<ChatMessageEntity> {
    return (await this.withAuthors([message]))[0];
  }

  private async withAuthors(messages: ChatMessageEntity[]): Promise<ChatMessageEntity[]> {
    const deleted = await this.deletedUsers.among(messages.map((m) => m.authorId));
    for (const message of messages) message.authorDeleted = deleted.has(message.authorId);
    return messages;
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
