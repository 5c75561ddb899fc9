import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addSearchVector, addTrigramIndex, dropSearchVector } from '@nexus/db';

const EMAILS = { schema: 'comms', table: 'emails', index: 'IDX_emails_search' };
const SUBJECT_TRIGRAMS = 'IDX_emails_subject_trgm';
/** EMAIL_SEARCH as it was when this migration landed. */
const EXPRESSION = `setweight(to_tsvector('"comms".search'::regconfig, coalesce("subject", '')), 'A') || setweight(to_tsvector('"comms".search'::regconfig, coalesce("comms"."search_addresses"("correspondents" || "to_recipients" || "cc_recipients" || "bcc_recipients"), '')), 'B') || setweight(to_tsvector('"comms".search'::regconfig, coalesce("body_text", '')), 'C')`;

/**
 * Full-text search of emails (SearchEmails). The search configuration came
 * with 1796313232284-search-messages. A generated column may only call
 * IMMUTABLE functions, and array_to_string is STABLE: search_addresses is
 * the IMMUTABLE text of the recipient lists and correspondents, leaving out
 * user ids (matched by name instead) and adding each address's local part
 * and domain as words of their own (so "ann" finds ann@example.com).
 */
export class SearchEmails1796314137707 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "comms"."emails" ADD "correspondents" text array NOT NULL DEFAULT '{}'`,
    );
    await runner.query(`CREATE FUNCTION "comms"."search_addresses"(addresses text[]) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(string_agg(
          CASE WHEN a LIKE '%@%' THEN a || ' ' || replace(a, '@', ' ') ELSE a END, ' '), '')
        FROM unnest(addresses) AS a
        WHERE a !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      $$`);
    await addSearchVector(runner, { ...EMAILS, expression: EXPRESSION });
    await addTrigramIndex(runner, {
      schema: 'comms',
      table: 'emails',
      column: 'subject',
      index: SUBJECT_TRIGRAMS,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "comms"."${SUBJECT_TRIGRAMS}"`);
    await dropSearchVector(runner, EMAILS);
    await runner.query(`DROP FUNCTION "comms"."search_addresses"(text[])`);
    await runner.query(`ALTER TABLE "comms"."emails" DROP COLUMN "correspondents"`);
  }
}
