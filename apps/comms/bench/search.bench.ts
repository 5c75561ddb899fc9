/**
 * SearchMessages benchmark (run: `npx nx run comms:bench`, after the chat
 * benchmark; or `npx tsx apps/comms/bench/search.bench.ts`).
 *
 * Seeds COMMS_SEARCH_MESSAGES messages (default 1,000,000) over 1,000 private
 * rooms, of which the searching user belongs to 50, straight into
 * PostgreSQL: text drawn from a 20,000-word vocabulary with a Zipf-like
 * distribution (rank r has probability about 1/r), plus planted words for
 * each kind of query. Then, for a common word, a rare word, a phrase and a
 * prefix, it times in alternating rounds:
 *   - S: ChatMessageService.search, the code SearchMessages runs (parse,
 *     access filter, ranking, keyset page of 50, snippets, authors);
 *   - R: the same SQL statements S sent (recorded from one call), run raw
 *     over one `pg` connection: the floor the kit could reach;
 *   - L: `ILIKE '%word%'` with the same access rule, newest first: what a
 *     search without a full-text index costs (the anti-baseline).
 * Prints p50/p99 per query (median over rounds) and R/S (target >= 0.7).
 * A query slower than 200 ms is sampled 8 times per round, not 40.
 * Runs on a scratch database of DATABASE_URL's server, or of an embedded
 * PostgreSQL started for the run when DATABASE_URL is unset.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { UserDirectory } from '@nexus/clients';
import { isSearchQueryProblem, parseSearchQuery, uuidv7, type Principal } from '@nexus/core';
import { PageTokenCodec, createDataSource, migrate, withScratchDatabase } from '@nexus/db';
import { startLocalStack } from '@nexus/stack';
import { FormatOnlyAttachmentChecker } from '../src/attachments/attachment-checker';
import { database } from '../src/database';
import { DeletedUsers } from '../src/directory/deleted-users';
import { chatMessaging } from '../src/messages/chat-messaging';
import { ChatRoomStore } from '../src/rooms/chat-room.store';

const MESSAGES = Number(process.env.COMMS_SEARCH_MESSAGES ?? 1_000_000);
const ROUNDS = Number(process.env.COMMS_SEARCH_ROUNDS ?? 3);
const SAMPLES = Number(process.env.COMMS_SEARCH_SAMPLES ?? 40);
const ROOMS = 1_000;
const MEMBER_OF = 50;
const VOCABULARY = 20_000;

/** The queries: the vocabulary's most frequent word, and the planted ones (see seed). */
const queries = (topWord: string) => [
  { name: 'common word', query: `${topWord} ` },
  { name: 'rare word', query: 'zephyrine ' },
  { name: 'phrase', query: '"quarterly forecast" ' },
  { name: 'prefix', query: 'quarter' },
];

interface Timing {
  p50: number;
  p99: number;
}

async function main(): Promise<void> {
  const stack = process.env.DATABASE_URL
    ? undefined
    : await startLocalStack({
        dataDir: mkdtempSync(join(tmpdir(), 'nexus-search-bench-')),
        ephemeral: true,
        withPostgres: true,
        withKafka: false,
      });
  try {
    const databaseUrl = process.env.DATABASE_URL ?? stack?.databaseUrl;
    if (!databaseUrl) throw new Error('no PostgreSQL to run on');
    await withScratchDatabase(databaseUrl, 'nexus_search_bench', run);
  } finally {
    await stack?.stop();
  }
}

async function run(url: string): Promise<void> {
  const dataSource = createDataSource({
    url,
    ...database,
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'nexus-search-bench',
  });
  await dataSource.initialize();
  const raw = new Client({ connectionString: url, application_name: 'nexus-search-bench-raw' });
  await raw.connect();
  try {
    await migrate(dataSource);
    const user: Principal = { userId: uuidv7(), role: 'user', token: '' };
    const topWord = await seed(dataSource, user.userId);

    const pageTokens = new PageTokenCodec('bench-page-token-secret-bench-page-token');
    const { messages } = chatMessaging(dataSource, pageTokens, {
      rooms: new ChatRoomStore(dataSource, pageTokens),
      directory: new UserDirectory({ address: '127.0.0.1:1', timeoutMs: 1_000 }),
      attachments: new FormatOnlyAttachmentChecker(),
      deletedUsers: new DeletedUsers(dataSource),
    });
    const search = async (text: string) => {
      const query = parseSearchQuery(text);
      if (isSearchQueryProblem(query)) throw new Error(query.description);
      return messages.search(user, {
        query,
        roomId: undefined,
        authorId: undefined,
        pageSize: 50,
        pageToken: '',
        includeTotalSize: false,
      });
    };

    console.log(
      `\nSearchMessages over ${MESSAGES.toLocaleString('en')} messages in ${ROOMS} rooms (the user in ${MEMBER_OF}); page of 50; ${ROUNDS} rounds x ${SAMPLES} samples, medians of rounds`,
    );
    console.log(
      'query         hits(first page)  S p50     S p99     R p50     R p99     R/S(p50)  ILIKE p50',
    );
    for (const { name, query } of queries(topWord)) {
      const statements = await recordStatements(() => search(query));
      const hits = (await search(query)).items.length;
      const service: Timing[] = [];
      const rawTimes: Timing[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        service.push(await time(() => search(query)));
        rawTimes.push(
          await time(async () => {
            for (const statement of statements) await raw.query(statement.text, statement.values);
          }),
        );
      }
      const word = query.replace(/[" ]/g, '').trim();
      const ilike = await time(() => ilikeSearch(raw, user.userId, word), 3);
      const s = medianTiming(service);
      const r = medianTiming(rawTimes);
      console.log(
        `${name.padEnd(14)}${String(hits).padStart(6)}          ${ms(s.p50)} ${ms(s.p99)} ${ms(r.p50)} ${ms(r.p99)} ${(r.p50 / s.p50).toFixed(2).padStart(6)}    ${ms(ilike.p50)}`,
      );
    }
    console.log('target: R/S >= 0.7; rare word S p99 <= 50 ms');
  } finally {
    await raw.end();
    await dataSource.destroy();
  }
}

/**
 * The rooms, memberships and messages. The GIN index is dropped while the
 * rows go in and built once after, as a bulk load would; the planted words:
 * "zephyrine" in 1 message of 10,000; "quarterly forecast" as a phrase in 1
 * of 1,000, and each word alone in about 1 of 100.
 */
async function seed(dataSource: DataSource, userId: string): Promise<string> {
  const started = performance.now();
  await dataSource.query(`DROP INDEX comms."IDX_chat_messages_search"`);
  await dataSource.query(
    `CREATE TEMPORARY TABLE vocab AS
       SELECT r AS rank, (SELECT string_agg((ARRAY['ka','lo','mi','ne','ru','ta','shi','po','ve','da','ze','gu','fo','li','mo','sa'])[(d % 16) + 1], '')
                           FROM unnest(ARRAY[r / 4096, r / 256, r / 16, r]) AS d
                          WHERE d > 0) AS word
         FROM generate_series(1, $1::int) AS r`,
    [VOCABULARY],
  );
  await dataSource.query(
    `INSERT INTO comms.chat_rooms (id, version, name, kind, creator_id, last_seq, last_message_at)
     SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 1, 'room ' || n, 'private', $1, 0, now()
       FROM generate_series(1, $2::int) AS n`,
    [userId, ROOMS],
  );
  await dataSource.query(
    `INSERT INTO comms.chat_members (room_id, user_id, role)
     SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, $1, 'member'
       FROM generate_series(1, $2::int) AS n`,
    [userId, MEMBER_OF],
  );
  const words = await dataSource.query<{ word: string }[]>(`SELECT word FROM vocab ORDER BY rank`);
  await dataSource.query(
    `INSERT INTO comms.chat_messages (id, created_at, updated_at, version, room_id, seq, author_id, text)
     SELECT gen_random_uuid(), t, t, 1,
            ('00000000-0000-7000-8000-' || lpad(to_hex(1 + n % $1::int), 12, '0'))::uuid, n, $2::uuid,
            concat_ws(' ', body,
              CASE WHEN n % 10000 = 7 THEN 'zephyrine' END,
              CASE WHEN n % 1000 = 3 THEN 'the quarterly forecast' END,
              CASE WHEN n % 97 = 0 THEN 'quarterly' END,
              CASE WHEN n % 89 = 0 THEN 'forecast' END)
       FROM generate_series(1, $3::int) AS n,
            LATERAL (SELECT now() - interval '1 second' * ($3::int - n) AS t) AS times,
            -- correlated with n (the word count), so drawn again for every message
            LATERAL (SELECT string_agg(($4::text[])[least($5::int, floor(exp(random() * ln($5::int + 1)))::int)], ' ') AS body
                       FROM generate_series(1, 6 + ((n::bigint * 7919) % 15)::int) AS w) AS text`,
    [ROOMS, uuidv7(), MESSAGES, words.map((w) => w.word), VOCABULARY],
  );
  await dataSource.query(
    `CREATE INDEX "IDX_chat_messages_search" ON comms.chat_messages USING gin (search_vector)`,
  );
  await dataSource.query('ANALYZE');
  console.log(
    `seeded ${MESSAGES.toLocaleString('en')} messages in ${((performance.now() - started) / 1000).toFixed(1)} s (vocabulary's top word "${words[0].word}")`,
  );
  return words[0].word;
}

interface Recorded {
  text: string;
  values: unknown[];
}

/** The statements one call sends, as TypeORM hands them to `pg`. */
async function recordStatements(call: () => Promise<unknown>): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const prototype = PostgresQueryRunner.prototype as unknown as {
    query: (text: string, values?: unknown[], ...rest: unknown[]) => Promise<unknown>;
  };
  const original = prototype.query;
  prototype.query = function (this: unknown, text, values, ...rest) {
    recorded.push({ text, values: values ?? [] });
    return original.call(this, text, values, ...rest);
  };
  try {
    await call();
  } finally {
    prototype.query = original;
  }
  return recorded;
}

/** The anti-baseline: a substring scan under the same access rule, newest first. */
async function ilikeSearch(raw: Client, userId: string, word: string): Promise<void> {
  await raw.query(
    `SELECT e.id, e.text FROM comms.chat_messages e
      WHERE e.deleted_at IS NULL AND e.text ILIKE $1
        AND EXISTS (SELECT 1 FROM comms.chat_rooms r WHERE r.id = e.room_id AND r.deleted_at IS NULL
              AND (r.kind = 'channel' OR EXISTS (SELECT 1 FROM comms.chat_members m WHERE m.room_id = r.id AND m.user_id = $2)))
      ORDER BY e.created_at DESC, e.id DESC LIMIT 51`,
    [`%${word}%`, userId],
  );
}

/** Latency samples of `work` after a warm-up; a slow query (over 200 ms) gets 8 samples. */
async function time(work: () => Promise<unknown>, samples = SAMPLES): Promise<Timing> {
  const warm = performance.now();
  for (let i = 0; i < 3; i += 1) await work(); // warm caches and plans
  const count = (performance.now() - warm) / 3 > 200 ? Math.min(samples, 8) : samples;
  const taken: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await work();
    taken.push(performance.now() - started);
  }
  taken.sort((a, b) => a - b);
  return {
    p50: taken[Math.floor(taken.length * 0.5)],
    p99: taken[Math.min(taken.length - 1, Math.floor(taken.length * 0.99))],
  };
}

function medianTiming(rounds: Timing[]): Timing {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)) };
}

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
