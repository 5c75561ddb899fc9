import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyDelta, canonicalJson, type ContentDelta } from '../documents/version-delta';

const TABLE = '"content"."document_versions"';

/**
 * Compact version storage and retention: a version is a snapshot (`content`,
 * as every existing row is, so old rows read as before) or a `delta` against
 * `base_number`; `keep_forever` marks a version retention never prunes. The
 * immutability trigger now refuses changes of what a version says, not of
 * how it is stored or whether it is kept.
 */
export class CompactDocumentVersions1796331000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE ${TABLE} ALTER COLUMN "content" DROP NOT NULL`);
    await runner.query(
      `ALTER TABLE ${TABLE} ADD "delta" jsonb, ADD "base_number" integer,
         ADD "chain_length" integer NOT NULL DEFAULT 0, ADD "keep_forever" boolean NOT NULL DEFAULT false`,
    );
    await runner.query(
      `ALTER TABLE ${TABLE} ADD CONSTRAINT "CHK_document_versions_storage" CHECK (("content" IS NULL) = ("delta" IS NOT NULL))`,
    );
    await runner.query(
      `ALTER TABLE ${TABLE} ADD CONSTRAINT "CHK_document_versions_base" CHECK (("delta" IS NULL) = ("base_number" IS NULL))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_document_versions_created_at" ON ${TABLE} ("created_at") `,
    );
    await runner.query(
      `CREATE OR REPLACE FUNCTION "content"."refuse_version_update"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF (NEW.document_id, NEW.number, NEW.title, NEW.author_id, NEW.note, NEW.created_at)
            IS DISTINCT FROM (OLD.document_id, OLD.number, OLD.title, OLD.author_id, OLD.note, OLD.created_at) THEN
           RAISE EXCEPTION 'document versions are immutable';
         END IF;
         RETURN NEW;
       END $$`,
    );
  }

  /** Every delta becomes the whole content again (rebuilt here, oldest first), then the columns go. */
  async down(runner: QueryRunner): Promise<void> {
    const rows = (await runner.query(
      `SELECT document_id, number, content, delta, base_number FROM ${TABLE}
        WHERE document_id IN (SELECT document_id FROM ${TABLE} WHERE delta IS NOT NULL)
        ORDER BY document_id, number`,
    )) as {
      document_id: string;
      number: number;
      content: unknown;
      delta: ContentDelta | null;
      base_number: number | null;
    }[];
    const texts = new Map<string, string>();
    for (const row of rows) {
      const key = (number: number | null) => `${row.document_id}/${number}`;
      if (row.delta === null) {
        texts.set(key(row.number), canonicalJson(row.content));
        continue;
      }
      const text = applyDelta(texts.get(key(row.base_number)) as string, row.delta);
      texts.set(key(row.number), text);
      await runner.query(
        `UPDATE ${TABLE} SET content = $3, delta = NULL, base_number = NULL
          WHERE document_id = $1 AND number = $2`,
        [row.document_id, row.number, text],
      );
    }
    await runner.query(
      `CREATE OR REPLACE FUNCTION "content"."refuse_version_update"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'document versions are immutable'; END $$`,
    );
    await runner.query(`DROP INDEX "content"."IDX_document_versions_created_at"`);
    await runner.query(`ALTER TABLE ${TABLE} DROP CONSTRAINT "CHK_document_versions_base"`);
    await runner.query(`ALTER TABLE ${TABLE} DROP CONSTRAINT "CHK_document_versions_storage"`);
    await runner.query(
      `ALTER TABLE ${TABLE} DROP COLUMN "keep_forever", DROP COLUMN "chain_length",
         DROP COLUMN "base_number", DROP COLUMN "delta"`,
    );
    await runner.query(`ALTER TABLE ${TABLE} ALTER COLUMN "content" SET NOT NULL`);
  }
}
