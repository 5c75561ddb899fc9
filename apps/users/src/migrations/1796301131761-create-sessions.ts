import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (one per sign-in, with the SHA-256 of its current refresh token)
 * and the hashes of the refresh tokens they exchanged, kept to recognise a reuse.
 */
export class CreateSessions1796301131761 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "users"."sessions" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "user_id" uuid NOT NULL, "client" text NOT NULL DEFAULT '', "token_hash" text NOT NULL, "last_used_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "idle_expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "absolute_expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP(3) WITH TIME ZONE, "end_reason" text, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_sessions_token_hash" ON "users"."sessions"  ("token_hash") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_sessions_user_id_created_at_id" ON "users"."sessions"  ("user_id", "created_at", "id") `,
    );
    await runner.query(
      `CREATE TABLE "users"."used_refresh_tokens" ("token_hash" text NOT NULL, "session_id" uuid NOT NULL, "used_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_used_refresh_tokens" PRIMARY KEY ("token_hash"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_used_refresh_tokens_session_id" ON "users"."used_refresh_tokens"  ("session_id") `,
    );
    await runner.query(
      `ALTER TABLE "users"."sessions" ADD CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "users"."used_refresh_tokens" ADD CONSTRAINT "FK_used_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "users"."sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "users"."used_refresh_tokens" DROP CONSTRAINT "FK_used_refresh_tokens_session"`,
    );
    await runner.query(`ALTER TABLE "users"."sessions" DROP CONSTRAINT "FK_sessions_user"`);
    await runner.query(`DROP INDEX "users"."IDX_used_refresh_tokens_session_id"`);
    await runner.query(`DROP TABLE "users"."used_refresh_tokens"`);
    await runner.query(`DROP INDEX "users"."IDX_sessions_user_id_created_at_id"`);
    await runner.query(`DROP INDEX "users"."UQ_sessions_token_hash"`);
    await runner.query(`DROP TABLE "users"."sessions"`);
  }
}
