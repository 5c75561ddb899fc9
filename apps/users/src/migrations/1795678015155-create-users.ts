import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1795678015155 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TYPE "users"."user_role" AS ENUM('admin', 'manager', 'user', 'guest')`,
    );
    await runner.query(
      `CREATE TABLE "users"."users" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "email" text NOT NULL, "username" text NOT NULL, "password_hash" text NOT NULL, "full_name" text NOT NULL DEFAULT '', "role" "users"."user_role" NOT NULL DEFAULT 'user', "preferences" jsonb NOT NULL DEFAULT '{}', "is_active" boolean NOT NULL DEFAULT true, "email_verified" boolean NOT NULL DEFAULT false, "last_login_at" TIMESTAMP(3) WITH TIME ZONE, "failed_login_count" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await runner.query(`CREATE UNIQUE INDEX "UQ_users_email" ON "users"."users"  ("email") `);
    await runner.query(`CREATE UNIQUE INDEX "UQ_users_username" ON "users"."users"  ("username") `);
    await runner.query(`CREATE INDEX "IDX_users_role" ON "users"."users"  ("role") `);
    await runner.query(
      `CREATE INDEX "IDX_users_created_at_id" ON "users"."users"  ("created_at", "id") `,
    );
    // Prefix filters of ListUsers (LIKE 'abc%'), which need pattern operator classes.
    await runner.query(
      `CREATE INDEX "IDX_users_email_pattern" ON "users"."users" ("email" text_pattern_ops)`,
    );
    await runner.query(
      `CREATE INDEX "IDX_users_username_pattern" ON "users"."users" ("username" text_pattern_ops)`,
    );
    await runner.query(
      `CREATE INDEX "IDX_users_full_name_pattern" ON "users"."users" (lower("full_name") text_pattern_ops)`,
    );
    await runner.query(
      `CREATE TABLE "users"."email_verifications" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "email" text NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c1ea2921e767f83cd44c0af203f" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_email_verifications_user_id" ON "users"."email_verifications"  ("user_id") `,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_email_verifications_token_hash" ON "users"."email_verifications"  ("token_hash") `,
    );
    await runner.query(
      `ALTER TABLE "users"."email_verifications" ADD CONSTRAINT "FK_email_verifications_user" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "users"."email_verifications" DROP CONSTRAINT "FK_email_verifications_user"`,
    );
    await runner.query(`DROP INDEX "users"."UQ_email_verifications_token_hash"`);
    await runner.query(`DROP INDEX "users"."IDX_email_verifications_user_id"`);
    await runner.query(`DROP TABLE "users"."email_verifications"`);
    await runner.query(`DROP INDEX "users"."IDX_users_full_name_pattern"`);
    await runner.query(`DROP INDEX "users"."IDX_users_username_pattern"`);
    await runner.query(`DROP INDEX "users"."IDX_users_email_pattern"`);
    await runner.query(`DROP INDEX "users"."IDX_users_created_at_id"`);
    await runner.query(`DROP INDEX "users"."IDX_users_role"`);
    await runner.query(`DROP INDEX "users"."UQ_users_username"`);
    await runner.query(`DROP INDEX "users"."UQ_users_email"`);
    await runner.query(`DROP TABLE "users"."users"`);
    await runner.query(`DROP TYPE "users"."user_role"`);
  }
}
