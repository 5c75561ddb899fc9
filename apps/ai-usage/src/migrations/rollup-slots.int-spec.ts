import { createDataSource, migrate, withScratchDatabase } from '@nexus/db';
import { requireEnv } from '@nexus/testing';
import { database } from '../database';
import { RollupSlots1796289049943 } from './1796289049943-rollup-slots';

const USER = '01900000-0000-7000-8000-0000000000a1';
const OTHER = '01900000-0000-7000-8000-0000000000a2';

describe('RollupSlots migration', () => {
  it("keeps existing rollup rows as slot 0, and on revert folds each key's slots into one row", async () => {
    await withScratchDatabase(requireEnv('DATABASE_URL'), 'nexus_ai_usage_slots', async (url) => {
      const index = database.migrations.indexOf(RollupSlots1796289049943);
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
      const insert = (slot: string, user: string, n: number, histogram: object) =>
        runner.query(
          `INSERT INTO "ai_usage"."usage_daily" (day, user_id, module, provider, model, currency,
             interaction_count, error_count, unpriced_count, input_tokens, output_tokens,
             cached_input_tokens, reasoning_tokens, total_tokens, cost, latency_min, latency_max,
             latency_histogram${slot ? ', slot' : ''})
           VALUES ('2025-09-01', $1, 'chat', 'openai', 'gpt-4o', 'USD', $2::int, 1, 0, $2::int * 10, $2::int, 0, 0,
                   $2::int * 11, $2::int * 0.5, $2::int, $2::int * 100, $3${slot ? `, ${slot}` : ''})`,
          [user, n, JSON.stringify(histogram)],
        );
      try {
        await migrate(dataSource);
        await insert('', USER, 1, { '10': 1 });
        await insert('', OTHER, 7, { '3': 7 });
        const migration = new RollupSlots1796289049943();

        await migration.up(runner);
        expect(await runner.query(`SELECT user_id, slot FROM "ai_usage"."usage_daily"`)).toEqual(
          expect.arrayContaining([
            { user_id: USER, slot: 0 },
            { user_id: OTHER, slot: 0 },
          ]),
        );
        await insert('5', USER, 2, { '10': 1, '20': 1 });
        await insert('9', USER, 4, { '20': 4 });

        await migration.down(runner);
        expect(
          await runner.query(
            `SELECT user_id, interaction_count::int AS n, error_count::int AS errors,
                    input_tokens::int AS input, cost::text AS cost, latency_min, latency_max,
                    latency_histogram
               FROM "ai_usage"."usage_daily" ORDER BY user_id`,
          ),
        ).toEqual([
          {
            user_id: USER,
            n: 7,
            errors: 3,
            input: 70,
            cost: '3.500000000000',
            latency_min: 1,
            latency_max: 400,
            latency_histogram: { '10': 2, '20': 5 },
          },
          {
            user_id: OTHER,
            n: 7,
            errors: 1,
            input: 70,
            cost: '3.500000000000',
            latency_min: 7,
            latency_max: 700,
            latency_histogram: { '3': 7 },
          },
        ]);
      } finally {
        await runner.release();
        await dataSource.destroy();
      }
    });
  });
});
