import 'reflect-metadata';
import { uuidv7 } from '@nexus/core';
import { createDataSource, migrate, revert, withScratchDatabase } from '@nexus/db';
import { requireEnv } from '@nexus/testing';
import { database } from '../database';
import { MIGRATIONS } from '.';
import { MailboxesAndKeywords1796327398109 } from './1796327398109-mailboxes-and-keywords';

/** Reverting this many undoes this migration and every later one. */
const THROUGH_THIS = MIGRATIONS.length - MIGRATIONS.indexOf(MailboxesAndKeywords1796327398109);

/** An email row as the four-mailbox model stored it. */
async function oldEmail(
  query: (sql: string, values: unknown[]) => Promise<unknown>,
  owner: string,
  fields: { mailbox: string; previous?: string; status: string; read: boolean },
): Promise<string> {
  const id = uuidv7();
  await query(
    `INSERT INTO comms.emails (id, version, owner_id, mailbox, previous_mailbox, status, sender_id,
       thread_id, message_id, is_read, sort_time)
     VALUES ($1, 1, $2, $3, $4, $5, $2, $6, $7, $8, now())`,
    [
      id,
      owner,
      fields.mailbox,
      fields.previous ?? null,
      fields.status,
      uuidv7(),
      `<${id}@comms.nexus.local>`,
      fields.read,
    ],
  );
  return id;
}

describe('migration 1796327398109-mailboxes-and-keywords', () => {
  it('moves every copy into the mailbox of its role and back, with events for the new mailboxes', async () => {
    await withScratchDatabase(requireEnv('DATABASE_URL'), 'nexus_mailboxes', async (url) => {
      const dataSource = createDataSource({
        url,
        ...database,
        poolSize: 2,
        maxOverflow: 0,
        sqlEcho: false,
        applicationName: 'nexus-mailboxes-migration',
      });
      await dataSource.initialize();
      try {
        await migrate(dataSource);
        await revert(dataSource, THROUGH_THIS);
        const query = (sql: string, values: unknown[] = []) => dataSource.query(sql, values);
        const [ann, bob] = [uuidv7(), uuidv7()];
        await query(
          `INSERT INTO comms.mailboxes (owner_id, role, total_count, unread_count)
           VALUES ($1, 'inbox', 1, 1), ($1, 'trash', 1, 0), ($1, 'drafts', 0, 0), ($1, 'sent', 0, 0)`,
          [ann],
        );
        const unread = await oldEmail(query, ann, {
          mailbox: 'inbox',
          status: 'received',
          read: false,
        });
        const trashed = await oldEmail(query, ann, {
          mailbox: 'trash',
          previous: 'sent',
          status: 'sent',
          read: true,
        });
        const draft = await oldEmail(query, bob, {
          mailbox: 'drafts',
          status: 'draft',
          read: true,
        });
        const [outbox] = (await query(`SELECT count(*) AS n FROM comms.outbox`)) as { n: string }[];
        const outboxBefore = Number(outbox.n);

        await migrate(dataSource);
        const boxes = (await query(
          `SELECT id, owner_id, role, name FROM comms.mailboxes ORDER BY owner_id, role`,
        )) as { id: string; owner_id: string; role: string; name: string }[];
        expect(boxes.filter((box) => box.owner_id === ann).map((box) => box.role)).toEqual([
          'inbox',
          'sent',
          'drafts',
          'trash',
          'archive',
          'junk',
        ]);
        expect(boxes.filter((box) => box.owner_id === bob)).toHaveLength(6);
        const roleOf = (owner: string, role: string) =>
          boxes.find((box) => box.owner_id === owner && box.role === role)!.id;
        const placed = (await query(
          `SELECT email_id, mailbox_id FROM comms.email_mailboxes ORDER BY email_id`,
        )) as { email_id: string; mailbox_id: string }[];
        expect(placed).toEqual(
          [
            { email_id: unread, mailbox_id: roleOf(ann, 'inbox') },
            { email_id: trashed, mailbox_id: roleOf(ann, 'trash') },
            { email_id: draft, mailbox_id: roleOf(bob, 'drafts') },
          ].sort((a, b) => (a.email_id < b.email_id ? -1 : 1)),
        );
        const [previous] = (await query(
          `SELECT previous_mailbox_ids FROM comms.emails WHERE id = $1`,
          [trashed],
        )) as { previous_mailbox_ids: string[] }[];
        expect(previous.previous_mailbox_ids).toEqual([roleOf(ann, 'sent')]);
        const created = (await query(
          `SELECT type, message_key FROM comms.outbox ORDER BY id OFFSET $1`,
          [outboxBefore],
        )) as { type: string; message_key: string }[];
        expect(created).toHaveLength(12);
        expect(new Set(created.map((event) => event.type))).toEqual(
          new Set(['nexus.comms.mailbox.created']),
        );

        // A folder and a label: down keeps each copy in one of the old four.
        const folder = uuidv7();
        await query(
          `INSERT INTO comms.mailboxes (id, version, owner_id, name) VALUES ($1, 1, $2, 'Projects')`,
          [folder, ann],
        );
        await query(`INSERT INTO comms.email_mailboxes VALUES ($1, $2)`, [unread, folder]);
        await revert(dataSource, THROUGH_THIS);
        const emails = (await query(
          `SELECT id, mailbox::text, previous_mailbox::text FROM comms.emails ORDER BY id`,
        )) as { id: string; mailbox: string; previous_mailbox: string | null }[];
        expect(
          Object.fromEntries(emails.map((e) => [e.id, [e.mailbox, e.previous_mailbox]])),
        ).toEqual({
          [unread]: ['inbox', null],
          [trashed]: ['trash', 'sent'],
          [draft]: ['drafts', null],
        });
        const counters = (await query(
          `SELECT role::text, total_count, unread_count FROM comms.mailboxes WHERE owner_id = $1 ORDER BY role`,
          [ann],
        )) as { role: string; total_count: number; unread_count: number }[];
        expect(counters).toEqual([
          { role: 'drafts', total_count: 0, unread_count: 0 },
          { role: 'inbox', total_count: 1, unread_count: 1 },
          { role: 'sent', total_count: 0, unread_count: 0 },
          { role: 'trash', total_count: 1, unread_count: 0 },
        ]);
        await migrate(dataSource);
      } finally {
        await dataSource.destroy();
      }
    });
  }, 120_000);
});
