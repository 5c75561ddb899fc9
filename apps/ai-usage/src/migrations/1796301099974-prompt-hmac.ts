import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prompt and response hashes become HMAC-SHA-256 keyed with
 * AI_PROMPT_HASH_SECRET. The stored unkeyed SHA-256 values cannot be turned
 * into keyed ones without the text (which is not kept unless captured) and
 * are what let anyone confirm a guessed short prompt, so they are dropped:
 * existing rows keep no hash (NULL). Reverting restores unkeyed SHA-256 only
 * where the text was captured (PostgreSQL's sha256 of the UTF-8 text, as the
 * old code computed it) and '' elsewhere; the keyed values are lost.
 */
export class PromptHmac1796301099974 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "ai_usage"."ai_interactions"
      DROP COLUMN "prompt_sha256", DROP COLUMN "response_sha256",
      ADD "prompt_hmac" text, ADD "response_hmac" text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "ai_usage"."ai_interactions"
      DROP COLUMN "prompt_hmac", DROP COLUMN "response_hmac",
      ADD "prompt_sha256" text NOT NULL DEFAULT '', ADD "response_sha256" text NOT NULL DEFAULT ''`);
    await runner.query(`UPDATE "ai_usage"."ai_interactions"
      SET prompt_sha256 = encode(sha256(convert_to(prompt, 'UTF8')), 'hex'),
          response_sha256 = encode(sha256(convert_to(coalesce(response, ''), 'UTF8')), 'hex')
      WHERE prompt IS NOT NULL`);
    await runner.query(`ALTER TABLE "ai_usage"."ai_interactions"
      ALTER "prompt_sha256" DROP DEFAULT, ALTER "response_sha256" DROP DEFAULT`);
  }
}
