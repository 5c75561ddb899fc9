import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files shared with users (file_shares), folders as a tree per owner with
 * their shares (folders, folder_shares, files.folder_id), link shares
 * (link_shares: token and password hashes only) and the files' trash
 * (files.deleted_at and purge_at).
 */
export class FileSharingFoldersTrash1796327426697 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "content"."folders" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "name" text NOT NULL, "parent_id" uuid, "owner_id" uuid NOT NULL, CONSTRAINT "PK_8578bd31b0e7f6d6c2480dbbca8" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_folders_owner_id_name_id" ON "content"."folders"  ("owner_id", "name", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_folders_parent_id_name_id" ON "content"."folders"  ("parent_id", "name", "id") `,
    );
    await runner.query(
      `CREATE TABLE "content"."file_shares" ("file_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" "content"."share_role" NOT NULL, "granted_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ed0894f3081c63b90fb70da9d9e" PRIMARY KEY ("file_id", "user_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_file_shares_user_id" ON "content"."file_shares"  ("user_id") `,
    );
    await runner.query(
      `CREATE TABLE "content"."folder_shares" ("folder_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" "content"."share_role" NOT NULL, "granted_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ae40f4a041c8982bee159522297" PRIMARY KEY ("folder_id", "user_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_folder_shares_user_id" ON "content"."folder_shares"  ("user_id") `,
    );
    await runner.query(
      `CREATE TABLE "content"."link_shares" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "file_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "password_hash" text, "password_protected" boolean NOT NULL DEFAULT false, "created_by" uuid NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "download_limit" bigint, "download_count" bigint NOT NULL DEFAULT '0', CONSTRAINT "CHK_link_shares_downloads" CHECK ("download_count" >= 0 AND ("download_limit" IS NULL OR "download_count" <= "download_limit")), CONSTRAINT "PK_62a1d0456364729ced3e50cff7d" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_link_shares_file_id_created_at" ON "content"."link_shares"  ("file_id", "created_at") `,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "IDX_link_shares_token_hash" ON "content"."link_shares"  ("token_hash") `,
    );
    await runner.query(
      `ALTER TABLE "content"."files" ADD "deleted_at" TIMESTAMP(3) WITH TIME ZONE`,
    );
    await runner.query(`ALTER TABLE "content"."files" ADD "folder_id" uuid`);
    await runner.query(`ALTER TABLE "content"."files" ADD "purge_at" TIMESTAMP(3) WITH TIME ZONE`);
    await runner.query(`CREATE INDEX "IDX_files_purge_at" ON "content"."files"  ("purge_at") `);
    await runner.query(`CREATE INDEX "IDX_files_folder_id" ON "content"."files"  ("folder_id") `);
    await runner.query(
      `ALTER TABLE "content"."files" ADD CONSTRAINT "CHK_files_trash" CHECK (("deleted_at" IS NULL) = ("purge_at" IS NULL))`,
    );
    await runner.query(
      `ALTER TABLE "content"."folders" ADD CONSTRAINT "FK_938a930768697b6ece215667d8e" FOREIGN KEY ("parent_id") REFERENCES "content"."folders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "content"."files" ADD CONSTRAINT "FK_27bc84e6954d2fa309a4f61326f" FOREIGN KEY ("folder_id") REFERENCES "content"."folders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "content"."file_shares" ADD CONSTRAINT "FK_8ad4e87c25a7c2c0e1b474a500e" FOREIGN KEY ("file_id") REFERENCES "content"."files"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "content"."folder_shares" ADD CONSTRAINT "FK_b291aacca3b9f25ca35345bb9c1" FOREIGN KEY ("folder_id") REFERENCES "content"."folders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "content"."link_shares" ADD CONSTRAINT "FK_920c57f66937f668e59de0e1d8c" FOREIGN KEY ("file_id") REFERENCES "content"."files"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "content"."link_shares" DROP CONSTRAINT "FK_920c57f66937f668e59de0e1d8c"`,
    );
    await runner.query(
      `ALTER TABLE "content"."folder_shares" DROP CONSTRAINT "FK_b291aacca3b9f25ca35345bb9c1"`,
    );
    await runner.query(
      `ALTER TABLE "content"."file_shares" DROP CONSTRAINT "FK_8ad4e87c25a7c2c0e1b474a500e"`,
    );
    await runner.query(
      `ALTER TABLE "content"."files" DROP CONSTRAINT "FK_27bc84e6954d2fa309a4f61326f"`,
    );
    await runner.query(
      `ALTER TABLE "content"."folders" DROP CONSTRAINT "FK_938a930768697b6ece215667d8e"`,
    );
    await runner.query(`ALTER TABLE "content"."files" DROP CONSTRAINT "CHK_files_trash"`);
    await runner.query(`DROP INDEX "content"."IDX_files_folder_id"`);
    await runner.query(`DROP INDEX "content"."IDX_files_purge_at"`);
    await runner.query(`ALTER TABLE "content"."files" DROP COLUMN "purge_at"`);
    await runner.query(`ALTER TABLE "content"."files" DROP COLUMN "folder_id"`);
    await runner.query(`ALTER TABLE "content"."files" DROP COLUMN "deleted_at"`);
    await runner.query(`DROP INDEX "content"."IDX_link_shares_token_hash"`);
    await runner.query(`DROP INDEX "content"."IDX_link_shares_file_id_created_at"`);
    await runner.query(`DROP TABLE "content"."link_shares"`);
    await runner.query(`DROP INDEX "content"."IDX_folder_shares_user_id"`);
    await runner.query(`DROP TABLE "content"."folder_shares"`);
    await runner.query(`DROP INDEX "content"."IDX_file_shares_user_id"`);
    await runner.query(`DROP TABLE "content"."file_shares"`);
    await runner.query(`DROP INDEX "content"."IDX_folders_parent_id_name_id"`);
    await runner.query(`DROP INDEX "content"."IDX_folders_owner_id_name_id"`);
    await runner.query(`DROP TABLE "content"."folders"`);
  }
}
