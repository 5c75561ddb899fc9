import { createHash } from 'node:crypto';
import { createDataSource, migrate, withScratchDatabase } from '@nexus/db';
import { requireEnv } from '@nexus/testing';
import { database } from '../database';
import { PromptHmac1796301099974 } from './1796301099974-prompt-hmac';

const USER = '01900000-0000-7000-8000-0000000000b1';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('PromptHmac migration', () => {
  it('drops the unkeyed hashes of existing rows, and on revert gives SHA-256 back only where the text was kept', async () => {
    await withScratchDatabase(requireEnv('DATABASE_URL'), 'nexus_ai_usage_hmac', async (url) => {
      const index = database.migrations.indexOf(PromptHmac1796301099974);
      const dataSource = createDataSource({
        url,
        schema: database.schema,
        entities: [],
        migrations: database.migrations.slice(0, index),
        poolSize: 2,
        maxOverflow: 0,
        sqlEcho: false,
        applicationName: 'nexus-migration-data-check',
      });
      await dataSource.initialize();
      const runner = dataSource.createQueryRunner();
      const insert = (id: string, prompt: string | null, response: string | null) =>
        runner.query(
          `INSERT INTO "ai_usage"."ai_interactions" (id, version, user_id, module, provider,
             request_model, model, operation, prompt, response, prompt_captured, prompt_length,
             response_length, prompt_sha256, response_sha256, input_tokens, output_tokens,
             cached_input_tokens, reasoning_tokens, total_tokens, unpriced, latency_ms, status,
             started_at)
           VALUES ($1, 1, $2, 'chat', 'openai', 'gpt-4o', 'gpt-4o', 'chat', $3::text, $4::text, $3::text IS NOT NULL,
                   2, 2, $5, $6, 1, 1, 0, 0, 2, true, 1, 'success', now())`,
          [id, USER, prompt, response, sha256('hi'), sha256('ok')],
        );
      try {
        await migrate(dataSource);
        await insert('01900000-0000-7000-8000-0000000000c1', null, null);
        await insert('01900000-0000-7000-8000-0000000000c2', 'hi', 'ok');
        const migration = new PromptHmac1796301099974();

        await migration.up(runner);
        expect(
          await runner.query(
            `SELECT prompt_hmac, response_hmac FROM "ai_usage"."ai_interactions" ORDER BY id`,
          ),
        ).toEqual([
          { prompt_hmac: null, response_hmac: null },
          { prompt_hmac: null, response_hmac: null },
        ]);
        const columns: unknown = await runner.query(
          `SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'ai_usage' AND table_name = 'ai_interactions'
              AND column_name LIKE '%sha256'`,
        );
        expect(columns).toEqual([]);

        await migration.down(runner);
        expect(
          await runner.query(
            `SELECT prompt_sha256, response_sha256 FROM "ai_usage"."ai_interactions" ORDER BY id`,
          ),
        ).toEqual([
          { prompt_sha256: '', response_sha256: '' },
          { prompt_sha256: sha256('hi'), response_sha256: sha256('ok') },
        ]);
      } finally {
        await runner.release();
        await dataSource.destroy();
      }
    });
  });
});
