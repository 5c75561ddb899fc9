import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Chat mentions (counted after a member's read marker), reactions and pins. */
export class ChatMentionsReactionsPins1796327405981 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "comms"."chat_mentions" ("message_id" uuid NOT NULL, "user_id" uuid NOT NULL, "room_id" uuid NOT NULL, "seq" bigint NOT NULL, CONSTRAINT "PK_4e5430819cff335037bfaa43c5b" PRIMARY KEY ("message_id", "user_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_mentions_user_room" ON "comms"."chat_mentions"  ("user_id", "room_id", "seq") `,
    );
    await runner.query(
      `CREATE TABLE "comms"."chat_reactions" ("message_id" uuid NOT NULL, "emoji" text NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4aaf2f987600d88bae0eb5ed5d1" PRIMARY KEY ("message_id", "emoji", "user_id"))`,
    );
    await runner.query(
      `ALTER TABLE "comms"."chat_messages" ADD "mentions_room" boolean NOT NULL DEFAULT false`,
    );
    await runner.query(
      `ALTER TABLE "comms"."chat_messages" ADD "pinned_at" TIMESTAMP(3) WITH TIME ZONE`,
    );
    await runner.query(`ALTER TABLE "comms"."chat_messages" ADD "pinned_by" uuid`);
    await runner.query(
      `ALTER TABLE "comms"."chat_rooms" ADD "pin_count" integer NOT NULL DEFAULT '0'`,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_messages_pinned" ON "comms"."chat_messages"  ("room_id", "pinned_at", "id") WHERE "pinned_at" IS NOT NULL`,
    );
    await runner.query(
      `CREATE INDEX "IDX_chat_messages_room_mentions" ON "comms"."chat_messages"  ("room_id", "seq") WHERE "mentions_room"`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "comms"."IDX_chat_messages_room_mentions"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_messages_pinned"`);
    await runner.query(`ALTER TABLE "comms"."chat_rooms" DROP COLUMN "pin_count"`);
    await runner.query(`ALTER TABLE "comms"."chat_messages" DROP COLUMN "pinned_by"`);
    await runner.query(`ALTER TABLE "comms"."chat_messages" DROP COLUMN "pinned_at"`);
    await runner.query(`ALTER TABLE "comms"."chat_messages" DROP COLUMN "mentions_room"`);
    await runner.query(`DROP TABLE "comms"."chat_reactions"`);
    await runner.query(`DROP INDEX "comms"."IDX_chat_mentions_user_room"`);
    await runner.query(`DROP TABLE "comms"."chat_mentions"`);
  }
}
