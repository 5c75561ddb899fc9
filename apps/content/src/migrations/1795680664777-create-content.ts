import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateContent1795680664777 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TYPE "content"."document_kind" AS ENUM('document', 'spreadsheet', 'presentation')`,
    );
    await runner.query(
      `CREATE TABLE "content"."documents" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "deleted_at" TIMESTAMP(3) WITH TIME ZONE, "title" text NOT NULL, "kind" "content"."document_kind" NOT NULL, "content" jsonb NOT NULL DEFAULT '{}', "owner_id" uuid NOT NULL, "current_version" integer NOT NULL DEFAULT '1', "purge_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "CHK_documents_trash" CHECK (("deleted_at" IS NULL) = ("purge_at" IS NULL)), CONSTRAINT "PK_ac51aa5181ee2036f5ca482857c" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_documents_purge_at" ON "content"."documents"  ("purge_at") `,
    );
    await runner.query(`CREATE INDEX "IDX_documents_kind" ON "content"."documents"  ("kind") `);
    await runner.query(
      `CREATE INDEX "IDX_documents_owner_id" ON "content"."documents"  ("owner_id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_documents_title_id" ON "content"."documents"  ("title", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_documents_created_at_id" ON "content"."documents"  ("created_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_documents_updated_at_id" ON "content"."documents"  ("updated_at", "id") `,
    );
    await runner.query(
      `CREATE TYPE "content"."share_role" AS ENUM('viewer', 'commenter', 'editor')`,
    );
    await runner.query(
      `CREATE TABLE "content"."document_shares" ("document_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" "content"."share_role" NOT NULL, "granted_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e22da3ed993d61527a40ae1d5d3" PRIMARY KEY ("document_id", "user_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_document_shares_user_id" ON "content"."document_shares"  ("user_id") `,
    );
    await runner.query(
      `CREATE TABLE "content"."document_versions" ("document_id" uuid NOT NULL, "number" integer NOT NULL, "title" text NOT NULL, "content" jsonb NOT NULL, "author_id" uuid, "note" text NOT NULL DEFAULT '', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c5364117ab772a34b793063f31d" PRIMARY KEY ("document_id", "number"))`,
    );
    await runner.query(
      `CREATE TABLE "content"."blob_releases" ("sha256" character(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cee73d8844df355ebcafefd79a6" PRIMARY KEY ("sha256"))`,
    );
    await runner.query(
      `CREATE TABLE "content"."files" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "name" text NOT NULL, "mime_type" text NOT NULL, "size_bytes" bigint NOT NULL, "sha256" character(64) NOT NULL, "owner_id" uuid NOT NULL, "is_public" boolean NOT NULL DEFAULT false, "download_count" bigint NOT NULL DEFAULT '0', CONSTRAINT "CHK_files_counts" CHECK ("size_bytes" >= 0 AND "download_count" >= 0), CONSTRAINT "CHK_files_sha256_hex" CHECK ("sha256" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_6c16b9093a142e0e7613b04a3d9" PRIMARY KEY ("id"))`,
    );
    await runner.query(`CREATE INDEX "IDX_files_is_public" ON "content"."files"  ("is_public") `);
    await runner.query(`CREATE INDEX "IDX_files_sha256" ON "content"."files"  ("sha256") `);
    await runner.query(`CREATE INDEX "IDX_files_owner_id" ON "content"."files"  ("owner_id") `);
    await runner.query(
      `CREATE INDEX "IDX_files_size_bytes_id" ON "content"."files"  ("size_bytes", "id") `,
    );
    await runner.query(`CREATE INDEX "IDX_files_name_id" ON "content"."files"  ("name", "id") `);
    await runner.query(
      `CREATE INDEX "IDX_files_created_at_id" ON "content"."files"  ("created_at", "id") `,
    );
    await runner.query(
      `ALTER TABLE "content"."document_shares" ADD CONSTRAINT "FK_76861e417382761ff9e925c7e4e" FOREIGN KEY ("document_id") REFERENCES "content"."documents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "content"."document_versions" ADD CONSTRAINT "FK_ac75577bca976d6d581b0f459b6" FOREIGN KEY ("document_id") REFERENCES "content"."documents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // Hand-written: what TypeORM cannot express.
    // Pattern indexes for the case-insensitive prefix filters of ListDocuments and ListFiles.
    await runner.query(
      `CREATE INDEX "IDX_documents_title_pattern" ON "content"."documents" (lower("title") text_pattern_ops)`,
    );
    await runner.query(
      `CREATE INDEX "IDX_files_name_pattern" ON "content"."files" (lower("name") text_pattern_ops)`,
    );
    await runner.query(
      `CREATE INDEX "IDX_files_mime_type_pattern" ON "content"."files" ("mime_type" text_pattern_ops)`,
    );
    // Versions are history: rows are appended and erased with their document, never changed.
    await runner.query(
      `CREATE FUNCTION "content"."refuse_version_update"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'document versions are immutable'; END $$`,
    );
    await runner.query(
      `CREATE TRIGGER "TRG_document_versions_immutable" BEFORE UPDATE ON "content"."document_versions" FOR EACH ROW EXECUTE FUNCTION "content"."refuse_version_update"()`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TRIGGER "TRG_document_versions_immutable" ON "content"."document_versions"`,
    );
    await runner.query(`DROP FUNCTION "content"."refuse_version_update"()`);
    await runner.query(`DROP INDEX "content"."IDX_files_mime_type_pattern"`);
    await runner.query(`DROP INDEX "content"."IDX_files_name_pattern"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_title_pattern"`);
    await runner.query(
      `ALTER TABLE "content"."document_versions" DROP CONSTRAINT "FK_ac75577bca976d6d581b0f459b6"`,
    );
    await runner.query(
      `ALTER TABLE "content"."document_shares" DROP CONSTRAINT "FK_76861e417382761ff9e925c7e4e"`,
    );
    await runner.query(`DROP INDEX "content"."IDX_files_created_at_id"`);
    await runner.query(`DROP INDEX "content"."IDX_files_name_id"`);
    await runner.query(`DROP INDEX "content"."IDX_files_size_bytes_id"`);
    await runner.query(`DROP INDEX "content"."IDX_files_owner_id"`);
    await runner.query(`DROP INDEX "content"."IDX_files_sha256"`);
    await runner.query(`DROP INDEX "content"."IDX_files_is_public"`);
    await runner.query(`DROP TABLE "content"."files"`);
    await runner.query(`DROP TABLE "content"."blob_releases"`);
    await runner.query(`DROP TABLE "content"."document_versions"`);
    await runner.query(`DROP INDEX "content"."IDX_document_shares_user_id"`);
    await runner.query(`DROP TABLE "content"."document_shares"`);
    await runner.query(`DROP TYPE "content"."share_role"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_updated_at_id"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_created_at_id"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_title_id"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_owner_id"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_kind"`);
    await runner.query(`DROP INDEX "content"."IDX_documents_purge_at"`);
    await runner.query(`DROP TABLE "content"."documents"`);
    await runner.query(`DROP TYPE "content"."document_kind"`);
  }
}
