import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { outboxRow } from '../raw-sql';
import { own, type Scenario } from '../scenario';

// The statements the service runs (SQL_ECHO=true shows them), with the same columns.
const TEXT = 'A message the benchmark posts to its room.';

function post(roomId: string, text: string): commsV1.PostMessageRequest {
  return { roomId, text, attachmentIds: [], replyToId: '', requestId: '' };
}

/**
 * A member posts to a room, each caller in a room of its own: the room and
 * its members read, then in one transaction the room's sequence taken
 * (the room row's lock), the poster's read marker, the message, the outbox
 * row; after it, the author's deleted mark.
 */
export const postMessage: Scenario = {
  name: 'PostMessage',
  service: 'comms',
  reference: { kind: 'h', bound: 0.65 },
  rawWork:
    'room and members; BEGIN, UPDATE room sequence, UPDATE read marker, INSERT message, outbox row, COMMIT; deleted author',
  seed: async ({ clients, caller, concurrency, tag }) => {
    const as = { token: caller.token };
    const rooms: string[] = [];
    for (let worker = 0; worker < concurrency; worker += 1) {
      const room = await clients.comms.chat.createRoom(
        {
          room: commsV1.ChatRoom.fromPartial({
            name: `bench-${tag}-${worker}`,
            kind: commsV1.RoomKind.ROOM_KIND_PRIVATE,
          }),
          memberIds: [],
          requestId: '',
        },
        as,
      );
      rooms.push(room.id);
    }
    let resource: Record<string, unknown> = {};
    return {
      call: async (clients, tag, worker, n) => {
        await clients.comms.chat.postMessage(post(own(rooms, worker), `${TEXT} ${tag} ${n}`), as);
      },
      sample: async (clients, tag) => {
        const body = post(rooms[0], `${TEXT} ${tag}`);
        const reply = await clients.comms.chat.postMessage(body, as);
        resource = commsV1.ChatMessage.toJSON(reply) as Record<string, unknown>;
        return {
          request: commsV1.PostMessageRequest.encode(body).finish(),
          reply: commsV1.ChatMessage.encode(reply).finish(),
        };
      },
      raw: async (sql, tag, worker, n) => {
        const roomId = own(rooms, worker);
        const id = uuidv7();
        const text = `${TEXT} ${tag} ${n}`;
        await sql.run(worker, [
          {
            name: 'bench-room-by-id',
            text: `SELECT id, created_at, updated_at, version, deleted_at, name, kind, topic,
                     creator_id, direct_key, last_seq, last_message_at
                   FROM "comms"."chat_rooms" WHERE id = $1 LIMIT 1`,
            values: [roomId],
            rows: 1,
          },
          {
            name: 'bench-room-members',
            text: `SELECT room_id, user_id, role, joined_at, last_read_seq FROM "comms"."chat_members"
                   WHERE room_id IN ($1)`,
            values: [roomId],
          },
        ]);
        // The sequence number is the room's: each message takes the next under the row lock.
        await sql.transaction(worker, [
          {
            name: 'bench-room-sequence',
            text: `UPDATE "comms"."chat_rooms" SET last_seq = last_seq + 1, last_message_at = now()
                   WHERE id = $1 RETURNING last_seq, deleted_at IS NOT NULL AS archived`,
            values: [roomId],
            rows: 1,
          },
          {
            name: 'bench-room-read-marker',
            text: `UPDATE "comms"."chat_members" SET last_read_seq = $3
                   WHERE room_id = $1 AND user_id = $2`,
            values: ({ last_seq }) => [roomId, caller.id, last_seq],
            rows: 1,
          },
          {
            name: 'bench-message-insert',
            text: `INSERT INTO "comms"."chat_messages" (id, created_at, updated_at, version, room_id,
                     seq, author_id, text, attachment_ids, reply_to_id, reply_count, last_reply_at,
                     participant_ids, edit_count, deleted_at)
                   VALUES ($1, DEFAULT, DEFAULT, 1, $2, $3, $4, $5, $6, $7, DEFAULT, DEFAULT, $8,
                     DEFAULT, DEFAULT)
                   RETURNING created_at, updated_at, version, text, attachment_ids, reply_count,
                     participant_ids, edit_count`,
            values: ({ last_seq }) => [id, roomId, last_seq, caller.id, text, [], null, []],
            rows: 1,
          },
          outboxRow(
            'comms',
            {
              topic: 'nexus.comms.chat-message',
              type: 'nexus.comms.chat-message.created',
              source: '/nexus/comms',
              key: id,
            },
            { before: null, after: { ...resource, id, roomId, text }, actor: caller.id },
            uuidv7(),
          ),
        ]);
        await sql.run(worker, [
          {
            name: 'bench-deleted-author',
            text: `SELECT user_id, deleted_at FROM "comms"."deleted_users" WHERE user_id IN ($1)`,
            values: [caller.id],
          },
        ]);
      },
    };
  },
};
