/**
 * Mailbox read-path benchmark (run: `npx tsx apps/comms/bench/mailbox.bench.ts`).
 *
 * Seeds one user with COMMS_BENCH_EMAILS received copies (default 200,000;
 * one server-side INSERT ... SELECT generate_series) in threads of 4, a third
 * of them read: all in the inbox, every tenth also labelled into one of 20
 * folders, every hundredth flagged. Then it times, through the service
 * classes the RPCs use:
 *   - ListMailboxes (26 mailboxes with emails/threads, total/unread, counted when read),
 *   - GetMailbox of one folder (about 1,000 copies),
 *   - the first ListEmails page of the inbox, of a folder, and of `$flagged`.
 * Runs on a scratch database of DATABASE_URL's server (default: the system
 * PostgreSQL at 127.0.0.1:5432), dropped at the end.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { uuidv7, type Principal } from '@nexus/core';
import { PageTokenCodec, createDataSource, migrate, withScratchDatabase } from '@nexus/db';
import { database } from '../src/database';
import { DeletedUsers } from '../src/directory/deleted-users';
import { emailParts } from '../src/emails/email-parts';
import { EmailService } from '../src/emails/email.service';

const EMAILS = Number(process.env.COMMS_BENCH_EMAILS ?? 200_000);
const FOLDERS = 20;
const RUNS = Number(process.env.COMMS_BENCH_RUNS ?? 30);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function time(label: string, run: () => Promise<unknown>): Promise<void> {
  await run();
  const samples: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`${label.padEnd(48)} p50 ${at(0.5).toFixed(1)} ms  p95 ${at(0.95).toFixed(1)} ms`);
}

async function main(): Promise<void> {
  await withScratchDatabase(DATABASE_URL, 'nexus_mailbox_bench', async (url) => {
    const dataSource = createDataSource({
      url,
      ...database,
      poolSize: 4,
      maxOverflow: 0,
      sqlEcho: false,
      applicationName: 'nexus-mailbox-bench',
    });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const caller: Principal = { userId: uuidv7(), role: 'user', token: '' };
      const pageTokens = new PageTokenCodec('bench-page-token-secret-bench-page-token');
      const { mailboxes, copies } = emailParts(
        dataSource,
        pageTokens,
        new DeletedUsers(dataSource),
      );
      const roles = await mailboxes.rolesOf(caller.userId);
      const folders: string[] = [];
      for (let index = 0; index < FOLDERS; index += 1) {
        const created = await mailboxes.create(
          caller,
          { name: `Folder ${index}`, parentId: null, sortOrder: index },
          undefined,
        );
        folders.push(created.mailbox.id);
      }
      const seeding = performance.now();
      await dataSource.query(
        `INSERT INTO comms.emails (id, version, owner_id, status, sender_id, subject, thread_id,
           message_id, is_read, sort_time, keywords)
         SELECT gen_random_uuid(), 1, $1, 'received', $2, 'Subject ' || n,
                ('00000000-0000-7000-8000-' || lpad(to_hex(n / 4), 12, '0'))::uuid,
                '<' || n || '@bench>', n % 3 = 0, now() - n * interval '1 second',
                CASE WHEN n % 100 = 0 THEN ARRAY['$flagged'] ELSE '{}' END
           FROM generate_series(1, $3) AS n`,
        [caller.userId, uuidv7(), EMAILS],
      );
      await dataSource.query(
        `INSERT INTO comms.email_mailboxes (email_id, mailbox_id)
         SELECT id, $2 FROM comms.emails WHERE owner_id = $1`,
        [caller.userId, roles.get('inbox')!.id],
      );
      await dataSource.query(
        `INSERT INTO comms.email_mailboxes (email_id, mailbox_id)
         SELECT e.id, ($2::uuid[])[1 + (row_number() OVER (ORDER BY e.id))::int % $3]
           FROM comms.emails e WHERE e.owner_id = $1 AND right(e.message_id, 8) LIKE '%0@bench>'`,
        [caller.userId, folders, FOLDERS],
      );
      await dataSource.query('ANALYZE');
      console.log(
        `seeded ${EMAILS} copies in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
      );

      const emails = new EmailService(copies);
      const page = (filters: object) =>
        emails.list(caller, {
          filters: { unreadOnly: false, ...filters },
          pageSize: 50,
          pageToken: '',
          includeTotal: false,
        });
      await time(`ListMailboxes (${6 + FOLDERS} mailboxes)`, () => mailboxes.list(caller));
      await time('GetMailbox (a folder)', () => mailboxes.get(caller, folders[0]));
      await time('ListEmails inbox, first page', () => page({ mailbox: 'inbox' }));
      await time('ListEmails folder, first page', () => page({ mailboxId: folders[0] }));
      await time('ListEmails keyword $flagged, first page', () => page({ keyword: '$flagged' }));
      await time('ListEmails not $seen, first page', () => page({ notKeyword: '$seen' }));
    } finally {
      await dataSource.destroy();
    }
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
