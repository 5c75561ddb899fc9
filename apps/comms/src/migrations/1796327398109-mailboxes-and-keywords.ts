import type { MigrationInterface, QueryRunner } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { emitFromMigration } from '@nexus/db';
import { mailboxAggregate } from '../mailboxes/mailbox.aggregate';
import { MailboxEntity } from '../mailboxes/mailbox.entity';

/** The role mailboxes as they were when this migration landed. */
const ROLES = [
  ['inbox', 'Inbox'],
  ['sent', 'Sent'],
  ['drafts', 'Drafts'],
  ['trash', 'Trash'],
  ['archive', 'Archive'],
  ['junk', 'Junk'],
] as const;

interface MailboxRow {
  id: string;
  owner_id: string;
  role: string | null;
  name: string;
  parent_id: string | null;
  sort_order: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const RETURNED = 'id, owner_id, role, name, parent_id, sort_order, version, created_at, updated_at';

function asEntity(row: MailboxRow): MailboxEntity {
  return Object.assign(new MailboxEntity(), {
    id: row.id,
    ownerId: row.owner_id,
    role: row.role,
    name: row.name,
    parentId: row.parent_id,
    sortOrder: row.sort_order,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/**
 * Mailboxes after JMAP (RFC 8621): a mailbox is a resource with an id (six
 * roles, archive and junk new, and the user's own nestable folders), a copy
 * is in one or more mailboxes (email_mailboxes) and carries keywords. Every
 * user with mail or mailboxes gets their six role mailboxes (a `created`
 * event each) and every copy is put in the mailbox of the role it was in.
 * The stored counters go: counts are counted when read. Down puts each copy
 * back in one of the four old mailboxes (the role mailbox it is in, else
 * the one of its status), recounts the counters and drops folders and
 * keywords (a `deleted` event per mailbox).
 */
export class MailboxesAndKeywords1796327398109 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "comms"."mailboxes" RENAME TO "mailboxes_v1"`);
    await runner.query(`ALTER TYPE "comms"."mailbox_role" RENAME TO "mailbox_role_v1"`);
    await runner.query(
      `CREATE TYPE "comms"."mailbox_role" AS ENUM('inbox', 'sent', 'drafts', 'trash', 'archive', 'junk')`,
    );
    await runner.query(
      `CREATE TABLE "comms"."mailboxes" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "owner_id" uuid NOT NULL, "role" "comms"."mailbox_role", "name" text NOT NULL, "parent_id" uuid, "sort_order" integer NOT NULL DEFAULT '0', CONSTRAINT "CHK_mailboxes_role_top_level" CHECK ("role" IS NULL OR "parent_id" IS NULL), CONSTRAINT "PK_1471bf7ef6d7f1279fbbdf89a1d" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_mailboxes_parent" ON "comms"."mailboxes"  ("parent_id") `,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_mailboxes_owner_role" ON "comms"."mailboxes"  ("owner_id", "role") WHERE "role" IS NOT NULL`,
    );
    // Sibling names, case-insensitively; the top level is the nil parent.
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_mailboxes_sibling_name" ON "comms"."mailboxes" ("owner_id", coalesce("parent_id", '00000000-0000-0000-0000-000000000000'), lower("name"))`,
    );
    await runner.query(
      `ALTER TABLE "comms"."mailboxes" ADD CONSTRAINT "FK_857bd076652e7669493542bc8be" FOREIGN KEY ("parent_id") REFERENCES "comms"."mailboxes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );

    const owners = (await runner.query(
      `SELECT owner_id FROM "comms"."mailboxes_v1" UNION SELECT owner_id FROM "comms"."emails"`,
    )) as { owner_id: string }[];
    const rows = (await runner.query(
      `INSERT INTO "comms"."mailboxes" (id, version, owner_id, role, name)
       SELECT m.id, 1, m.owner_id, m.role::"comms"."mailbox_role", m.name
         FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, owner_id uuid, role text, name text)
       RETURNING ${RETURNED}`,
      [
        JSON.stringify(
          owners.flatMap(({ owner_id }) =>
            ROLES.map(([role, name]) => ({ id: uuidv7(), owner_id, role, name })),
          ),
        ),
      ],
    )) as MailboxRow[];
    await emitFromMigration(runner, 'comms', mailboxAggregate, 'created', rows.map(asEntity));

    await runner.query(
      `CREATE TABLE "comms"."email_mailboxes" ("email_id" uuid NOT NULL, "mailbox_id" uuid NOT NULL, CONSTRAINT "PK_3845804714776a018fb93ecb161" PRIMARY KEY ("email_id", "mailbox_id"))`,
    );
    await runner.query(
      `INSERT INTO "comms"."email_mailboxes" (email_id, mailbox_id)
       SELECT e.id, m.id FROM "comms"."emails" e
         JOIN "comms"."mailboxes" m ON m.owner_id = e.owner_id AND m.role::text = e.mailbox::text`,
    );
    await runner.query(
      `CREATE INDEX "IDX_email_mailboxes_mailbox" ON "comms"."email_mailboxes"  ("mailbox_id", "email_id") `,
    );
    await runner.query(
      `ALTER TABLE "comms"."email_mailboxes" ADD CONSTRAINT "FK_0b2adeedbfc02c5b45e400b6dbd" FOREIGN KEY ("email_id") REFERENCES "comms"."emails"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "comms"."email_mailboxes" ADD CONSTRAINT "FK_f1473a38f10db45ed0d993cab88" FOREIGN KEY ("mailbox_id") REFERENCES "comms"."mailboxes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );

    await runner.query(
      `ALTER TABLE "comms"."emails" ADD "previous_mailbox_ids" uuid array NOT NULL DEFAULT '{}'`,
    );
    await runner.query(
      `UPDATE "comms"."emails" e SET previous_mailbox_ids = ARRAY[m.id]
         FROM "comms"."mailboxes" m
        WHERE e.previous_mailbox IS NOT NULL
          AND m.owner_id = e.owner_id AND m.role::text = e.previous_mailbox::text`,
    );
    await runner.query(
      `ALTER TABLE "comms"."emails" ADD "keywords" text array NOT NULL DEFAULT '{}'`,
    );
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_unread_sort"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_mailbox_sort"`);
    await runner.query(`ALTER TABLE "comms"."emails" DROP COLUMN "mailbox"`);
    await runner.query(`ALTER TABLE "comms"."emails" DROP COLUMN "previous_mailbox"`);
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_unread_sort" ON "comms"."emails"  ("owner_id", "sort_time", "id") WHERE "is_read" = false`,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_keywords" ON "comms"."emails" USING gin ("keywords")`,
    );
    await runner.query(`DROP TABLE "comms"."mailboxes_v1"`);
    await runner.query(`DROP TYPE "comms"."mailbox_role_v1"`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TYPE "comms"."mailbox_role_v1" AS ENUM('inbox', 'sent', 'drafts', 'trash')`,
    );
    await runner.query(`ALTER TABLE "comms"."emails" ADD "mailbox" "comms"."mailbox_role_v1"`);
    await runner.query(
      `ALTER TABLE "comms"."emails" ADD "previous_mailbox" "comms"."mailbox_role_v1"`,
    );
    // The old role mailbox the copy is in (trash first), else the one of its status.
    await runner.query(
      `UPDATE "comms"."emails" e SET mailbox = coalesce(
         (SELECT m.role::text FROM "comms"."email_mailboxes" em
            JOIN "comms"."mailboxes" m ON m.id = em.mailbox_id
           WHERE em.email_id = e.id AND m.role IN ('trash', 'drafts', 'sent', 'inbox')
           ORDER BY array_position(ARRAY['trash', 'drafts', 'sent', 'inbox'], m.role::text)
           LIMIT 1),
         CASE e.status WHEN 'draft' THEN 'drafts' WHEN 'sent' THEN 'sent' ELSE 'inbox' END
       )::"comms"."mailbox_role_v1"`,
    );
    await runner.query(
      `UPDATE "comms"."emails" e SET previous_mailbox = coalesce(
         (SELECT m.role::text FROM "comms"."mailboxes" m
           WHERE m.id = ANY(e.previous_mailbox_ids) AND m.role IN ('drafts', 'sent', 'inbox')
           LIMIT 1),
         CASE e.status WHEN 'draft' THEN 'drafts' WHEN 'sent' THEN 'sent' ELSE 'inbox' END
       )::"comms"."mailbox_role_v1"
       WHERE e.mailbox = 'trash'`,
    );
    await runner.query(`ALTER TABLE "comms"."emails" ALTER COLUMN "mailbox" SET NOT NULL`);
    await runner.query(
      `CREATE TABLE "comms"."mailboxes_v1" ("owner_id" uuid NOT NULL, "role" "comms"."mailbox_role_v1" NOT NULL, "total_count" integer NOT NULL DEFAULT '0', "unread_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_b94f1195371a32b73afb7061a48" PRIMARY KEY ("owner_id", "role"))`,
    );
    await runner.query(
      `INSERT INTO "comms"."mailboxes_v1" (owner_id, role, total_count, unread_count)
       SELECT o.owner_id, r.role,
              count(e.id), count(e.id) FILTER (WHERE NOT e.is_read)
         FROM (SELECT DISTINCT owner_id FROM "comms"."mailboxes") o
        CROSS JOIN unnest(enum_range(NULL::"comms"."mailbox_role_v1")) AS r(role)
         LEFT JOIN "comms"."emails" e ON e.owner_id = o.owner_id AND e.mailbox = r.role
        GROUP BY o.owner_id, r.role`,
    );
    await runner.query(
      `ALTER TABLE "comms"."mailboxes_v1" ADD CONSTRAINT "CHK_mailboxes_counts" CHECK ("total_count" >= 0 AND "unread_count" >= 0 AND "unread_count" <= "total_count")`,
    );
    const rows = (await runner.query(
      `SELECT ${RETURNED} FROM "comms"."mailboxes" ORDER BY owner_id, id`,
    )) as MailboxRow[];
    await emitFromMigration(runner, 'comms', mailboxAggregate, 'deleted', rows.map(asEntity));

    await runner.query(`DROP INDEX "comms"."IDX_emails_keywords"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_unread_sort"`);
    await runner.query(`ALTER TABLE "comms"."emails" DROP COLUMN "keywords"`);
    await runner.query(`ALTER TABLE "comms"."emails" DROP COLUMN "previous_mailbox_ids"`);
    await runner.query(`DROP TABLE "comms"."email_mailboxes"`);
    await runner.query(`DROP TABLE "comms"."mailboxes"`);
    await runner.query(`DROP TYPE "comms"."mailbox_role"`);
    await runner.query(`ALTER TABLE "comms"."mailboxes_v1" RENAME TO "mailboxes"`);
    await runner.query(`ALTER TYPE "comms"."mailbox_role_v1" RENAME TO "mailbox_role"`);
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_unread_sort" ON "comms"."emails"  ("owner_id", "mailbox", "sort_time", "id") WHERE "is_read" = false`,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_mailbox_sort" ON "comms"."emails"  ("owner_id", "mailbox", "sort_time", "id") `,
    );
  }
}
