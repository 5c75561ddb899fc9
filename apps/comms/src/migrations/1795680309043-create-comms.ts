import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateComms1795680309043 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "comms"."deleted_users" ("user_id" uuid NOT NULL, "deleted_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_75aa34f5ed3067d9d3d2df3daaa" PRIMARY KEY ("user_id"))`,
    );
    await runner.query(
      `CREATE TYPE "comms"."mailbox_role" AS ENUM('inbox', 'sent', 'drafts', 'trash')`,
    );
    await runner.query(
      `CREATE TABLE "comms"."mailboxes" ("owner_id" uuid NOT NULL, "role" "comms"."mailbox_role" NOT NULL, "total_count" integer NOT NULL DEFAULT '0', "unread_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_b94f1195371a32b73afb7061a48" PRIMARY KEY ("owner_id", "role"))`,
    );
    // The counters are row counts kept by the transactions that move copies: never negative.
    await runner.query(
      `ALTER TABLE "comms"."mailboxes" ADD CONSTRAINT "CHK_mailboxes_counts" CHECK ("total_count" >= 0 AND "unread_count" >= 0 AND "unread_count" <= "total_count")`,
    );
    await runner.query(`CREATE TYPE "comms"."email_status" AS ENUM('draft', 'sent', 'received')`);
    await runner.query(
      `CREATE TABLE "comms"."emails" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "owner_id" uuid NOT NULL, "mailbox" "comms"."mailbox_role" NOT NULL, "previous_mailbox" "comms"."mailbox_role", "status" "comms"."email_status" NOT NULL, "sender_id" uuid NOT NULL, "to_recipients" text array NOT NULL DEFAULT '{}', "cc_recipients" text array NOT NULL DEFAULT '{}', "bcc_recipients" text array NOT NULL DEFAULT '{}', "subject" text NOT NULL DEFAULT '', "body_text" text NOT NULL DEFAULT '', "body_html" text NOT NULL DEFAULT '', "attachment_ids" uuid array NOT NULL DEFAULT '{}', "thread_id" uuid NOT NULL, "message_id" text NOT NULL, "in_reply_to" text NOT NULL DEFAULT '', "reference_ids" text array NOT NULL DEFAULT '{}', "is_read" boolean NOT NULL DEFAULT false, "sent_at" TIMESTAMP(3) WITH TIME ZONE, "received_at" TIMESTAMP(3) WITH TIME ZONE, "sort_time" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "outbound" jsonb NOT NULL DEFAULT '[]', CONSTRAINT "PK_a54dcebef8d05dca7e839749571" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_message_id" ON "comms"."emails"  ("owner_id", "message_id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_unread_sort" ON "comms"."emails"  ("owner_id", "mailbox", "sort_time", "id") WHERE "is_read" = false`,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_sender_sort" ON "comms"."emails"  ("owner_id", "sender_id", "sort_time", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_thread_sort" ON "comms"."emails"  ("owner_id", "thread_id", "sort_time", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_mailbox_sort" ON "comms"."emails"  ("owner_id", "mailbox", "sort_time", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_emails_owner_sort" ON "comms"."emails"  ("owner_id", "sort_time", "id") `,
    );
    await runner.query(
      `CREATE TABLE "comms"."chat_message_edits" ("id" uuid NOT NULL, "message_id" uuid NOT NULL, "previous_text" text NOT NULL, "editor_id" uuid NOT NULL, "edited_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9e6036e7759d3c513a2b0df7147" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_message_edits_message" ON "comms"."chat_message_edits"  ("message_id", "edited_at") `,
    );
    await runner.query(
      `CREATE TABLE "comms"."chat_messages" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "room_id" uuid NOT NULL, "seq" bigint NOT NULL, "author_id" uuid NOT NULL, "text" text NOT NULL DEFAULT '', "attachment_ids" uuid array NOT NULL DEFAULT '{}', "reply_to_id" uuid, "reply_count" integer NOT NULL DEFAULT '0', "last_reply_at" TIMESTAMP(3) WITH TIME ZONE, "participant_ids" uuid array NOT NULL DEFAULT '{}', "edit_count" integer NOT NULL DEFAULT '0', "deleted_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_40c55ee0e571e268b0d3cd37d10" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_messages_thread" ON "comms"."chat_messages"  ("reply_to_id", "created_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_messages_room_top" ON "comms"."chat_messages"  ("room_id", "created_at", "id") WHERE "reply_to_id" IS NULL`,
    );
    await runner.query(`CREATE TYPE "comms"."member_role" AS ENUM('owner', 'member')`);
    await runner.query(
      `CREATE TABLE "comms"."chat_members" ("room_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" "comms"."member_role" NOT NULL DEFAULT 'member', "joined_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "last_read_seq" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_e39d387723c54d4a33efe00a3d4" PRIMARY KEY ("room_id", "user_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_members_user" ON "comms"."chat_members"  ("user_id", "room_id") `,
    );
    await runner.query(`CREATE TYPE "comms"."room_kind" AS ENUM('channel', 'private', 'direct')`);
    await runner.query(
      `CREATE TABLE "comms"."chat_rooms" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "deleted_at" TIMESTAMP(3) WITH TIME ZONE, "name" text NOT NULL, "kind" "comms"."room_kind" NOT NULL, "topic" text NOT NULL DEFAULT '', "creator_id" uuid NOT NULL, "direct_key" text, "last_seq" bigint NOT NULL DEFAULT '0', "last_message_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c69082bd83bffeb71b0f455bd59" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_chat_rooms_direct_key" ON "comms"."chat_rooms"  ("direct_key") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_rooms_kind_activity" ON "comms"."chat_rooms"  ("kind", "last_message_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_rooms_activity" ON "comms"."chat_rooms"  ("last_message_at", "id") `,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "comms"."IDX_chat_rooms_activity"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_rooms_kind_activity"`);
    await runner.query(`DROP INDEX "comms"."UQ_chat_rooms_direct_key"`);
    await runner.query(`DROP TABLE "comms"."chat_rooms"`);
    await runner.query(`DROP TYPE "comms"."room_kind"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_members_user"`);
    await runner.query(`DROP TABLE "comms"."chat_members"`);
    await runner.query(`DROP TYPE "comms"."member_role"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_messages_room_top"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_messages_thread"`);
    await runner.query(`DROP TABLE "comms"."chat_messages"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_message_edits_message"`);
    await runner.query(`DROP TABLE "comms"."chat_message_edits"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_sort"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_mailbox_sort"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_thread_sort"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_sender_sort"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_unread_sort"`);
    await runner.query(`DROP INDEX "comms"."IDX_emails_owner_message_id"`);
    await runner.query(`DROP TABLE "comms"."emails"`);
    await runner.query(`DROP TYPE "comms"."email_status"`);
    await runner.query(`ALTER TABLE "comms"."mailboxes" DROP CONSTRAINT "CHK_mailboxes_counts"`);
    await runner.query(`DROP TABLE "comms"."mailboxes"`);
    await runner.query(`DROP TYPE "comms"."mailbox_role"`);
    await runner.query(`DROP TABLE "comms"."deleted_users"`);
  }
}
