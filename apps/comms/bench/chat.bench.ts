/**
 * Chat read-path benchmark (run: `npx nx run comms:bench`).
 *
 * Seeds one room with COMMS_BENCH_MESSAGES top-level messages (default
 * 200,000; the full size is 1,000,000) straight into PostgreSQL with
 * one server-side INSERT ... SELECT generate_series, plus COMMS_BENCH_ROOMS
 * rooms (default 500) a user belongs to, each with unread messages. Then it
 * times, through the service classes ListMessages and ListRooms use:
 *   - the first page of the room (newest 50),
 *   - a page deep in history (at 90% of the room, via its keyset page token),
 *   - the rooms list with unread and mention counts for the user in all those rooms,
 *   - the mention counts alone (each room has mentions of the user before and after the marker).
 * Runs on a scratch database of DATABASE_URL's server (default: the system
 * PostgreSQL at 127.0.0.1:5432), dropped at the end.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { UserDirectory } from '@nexus/clients';
import { uuidv7, type Principal } from '@nexus/core';
import { PageTokenCodec, createDataSource, migrate, withScratchDatabase } from '@nexus/db';
import { FormatOnlyAttachmentChecker } from '../src/attachments/attachment-checker';
import { database } from '../src/database';
import { DeletedUsers } from '../src/directory/deleted-users';
import { chatMessaging } from '../src/messages/chat-messaging';
import { ChatRoomService } from '../src/rooms/chat-room.service';
import { ChatRoomStore } from '../src/rooms/chat-room.store';

const MESSAGES = Number(process.env.COMMS_BENCH_MESSAGES ?? 200_000);
const ROOMS = Number(process.env.COMMS_BENCH_ROOMS ?? 500);
const RUNS = Number(process.env.COMMS_BENCH_RUNS ?? 50);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  await withScratchDatabase(DATABASE_URL, 'nexus_comms_bench', async (url) => {
    const dataSource = createDataSource({
      url,
      ...database,
      poolSize: 4,
      maxOverflow: 0,
      sqlEcho: false,
      applicationName: 'nexus-comms-bench',
    });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const user: Principal = { userId: uuidv7(), role: 'user', token: '' };
      const roomId = await seedRoom(dataSource, user.userId);
      await seedRooms(dataSource, user.userId);
      await dataSource.query('ANALYZE');

      const pageTokens = new PageTokenCodec('bench-page-token-secret-bench-page-token');
      // Never called: no lookups on reads.
      const directory = new UserDirectory({ address: '127.0.0.1:1', timeoutMs: 1_000 });
      const rooms = new ChatRoomStore(dataSource, pageTokens);
      const { messages } = chatMessaging(dataSource, pageTokens, {
        rooms,
        directory,
        attachments: new FormatOnlyAttachmentChecker(),
        deletedUsers: new DeletedUsers(dataSource),
      });
      const roomService = new ChatRoomService(rooms, directory);

      // The page token a client holds after paging to 90% of the history.
      const [deep] = await dataSource.query<{ id: string; created_at: Date }[]>(
        `SELECT id, created_at FROM comms.chat_messages WHERE room_id = $1 AND reply_to_id IS NULL
         ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
        [roomId, Math.floor(MESSAGES * 0.9)],
      );
      const deepToken = pageTokens.encode(
        'create_time_desc',
        { roomId },
        {
          value: deep.created_at.toISOString(),
          id: deep.id,
        },
      );
      const page = (pageToken: string) =>
        messages.list(user, { roomId }, { pageSize: 50, pageToken, includeTotal: false });

      const first = await time(() => page(''));
      const deepPage = await time(() => page(deepToken));
      const unread = await time(() =>
        roomService.list(user, {
          filters: { scope: 'joined' },
          showDeleted: false,
          pageSize: ROOMS + 1,
          pageToken: '',
          includeTotal: false,
        }),
      );
      const listed = await roomService.list(user, {
        filters: { scope: 'joined' },
        showDeleted: false,
        pageSize: ROOMS + 1,
        pageToken: '',
        includeTotal: false,
      });
      const totalUnread = listed.items.reduce(
        (sum, item) => sum + (item.view?.unreadCount ?? 0),
        0,
      );
      const totalMentions = listed.items.reduce(
        (sum, item) => sum + (item.view?.mentionCount ?? 0),
        0,
      );
      const markers = listed.items.flatMap(({ room }) =>
        room.members.filter((member) => member.userId === user.userId),
      );
      const mentionCounts = await time(() => rooms.mentionCounts(user.userId, markers));

      directory.close();
      console.log(
        `comms chat benchmark: ${MESSAGES.toLocaleString('en')} messages in one room, ${RUNS} runs each`,
      );
      console.log(`  first page (50 newest)          p50 ${ms(first.p50)}  p95 ${ms(first.p95)}`);
      console.log(
        `  page at 90% of history          p50 ${ms(deepPage.p50)}  p95 ${ms(deepPage.p95)}`,
      );
      console.log(
        `  deep / first (p50)              ${(deepPage.p50 / first.p50).toFixed(2)} (target <= 1.20)`,
      );
      console.log(
        `  ListRooms with unread counts    p50 ${ms(unread.p50)}  p95 ${ms(unread.p95)}  (${listed.items.length} rooms, ${totalUnread.toLocaleString('en')} unread, ${totalMentions.toLocaleString('en')} mentions)`,
      );
      console.log(
        `  of which mention counts         p50 ${ms(mentionCounts.p50)}  p95 ${ms(mentionCounts.p95)}`,
      );
    } finally {
      await dataSource.destroy();
    }
  });
}

/** The room: MESSAGES top-level messages a millisecond apart, by two authors. */
async function seedRoom(
  dataSource: ReturnType<typeof createDataSource>,
  userId: string,
): Promise<string> {
  const roomId = uuidv7();
  const started = performance.now();
  await dataSource.query(
    `INSERT INTO comms.chat_rooms (id, version, name, kind, creator_id, last_seq, last_message_at)
     VALUES ($1, 1, 'bench', 'channel', $2, $3, now())`,
    [roomId, userId, MESSAGES],
  );
  await dataSource.query(
    `INSERT INTO comms.chat_members (room_id, user_id, role, last_read_seq) VALUES ($1, $2, 'owner', $3)`,
    [roomId, userId, MESSAGES],
  );
  await dataSource.query(
    `INSERT INTO comms.chat_messages (id, created_at, updated_at, version, room_id, seq, author_id, text)
     SELECT gen_random_uuid(), t, t, 1, $1, n, CASE WHEN n % 2 = 0 THEN $2::uuid ELSE $3::uuid END,
            'message number ' || n || ' with a little text to make the row realistic'
       FROM generate_series(1, $4::int) AS n,
            LATERAL (SELECT now() - interval '1 millisecond' * ($4::int - n) AS t) AS times`,
    [roomId, userId, uuidv7(), MESSAGES],
  );
  console.log(
    `seeded ${MESSAGES.toLocaleString('en')} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return roomId;
}

/**
 * ROOMS rooms with the user as member, each 1-20 messages past the user's
 * read marker, and mentions of the user at positions 95-104 (5 after it).
 */
async function seedRooms(
  dataSource: ReturnType<typeof createDataSource>,
  userId: string,
): Promise<void> {
  await dataSource.query(
    `WITH rooms AS (
       INSERT INTO comms.chat_rooms (id, version, name, kind, creator_id, last_seq, last_message_at)
       SELECT gen_random_uuid(), 1, 'room ' || n, 'private', $1, 100 + n % 20, now() - interval '1 second' * n
         FROM generate_series(1, $2::int) AS n
       RETURNING id, last_seq)
     INSERT INTO comms.chat_members (room_id, user_id, role, last_read_seq)
     SELECT id, $1, 'member', 99 FROM rooms`,
    [userId, ROOMS],
  );
  await dataSource.query(
    `INSERT INTO comms.chat_mentions (message_id, user_id, room_id, seq)
     SELECT gen_random_uuid(), $1, m.room_id, seq
       FROM comms.chat_members m, generate_series(95, 104) AS seq WHERE m.user_id = $1`,
    [userId],
  );
}

async function time(work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i += 1) await work(); // warm caches and the pool
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(samples.length * 0.5)],
    p95: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.95))],
  };
}

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
