import { randomInt } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { formatDecimal, parseDecimal } from '@nexus/core';
import type { AiInteractionEntity } from '../interactions/interaction.entity';
import { effectiveCost } from '../interactions/interaction.mapping';
import { COST_SCALE } from '../prices/cost';
import { queryPrepared } from '@nexus/db';
import { observe, toJson, type Histogram } from './latency-histogram';

export interface RollupDelta {
  key: [string, string, string, string, string, string];
  count: number;
  errors: number;
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  cost: bigint;
  latencyMin: number;
  latencyMax: number;
  histogram: Histogram;
}

/** The UTC day of a time, YYYY-MM-DD. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** Adds interactions into per-key deltas, one per rollup row they touch. */
export function rollupDeltas(interactions: readonly AiInteractionEntity[]): RollupDelta[] {
  const deltas = new Map<string, RollupDelta>();
  for (const interaction of interactions) {
    const cost = effectiveCost(interaction);
    const key: RollupDelta['key'] = [
      utcDay(interaction.startedAt),
      interaction.userId,
      interaction.module,
      interaction.provider,
      interaction.model,
      cost?.currency ?? '',
    ];
    const id = JSON.stringify(key);
    let delta = deltas.get(id);
    if (!delta) {
      delta = {
        key,
        count: 0,
        errors: 0,
        unpriced: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        totalTokens: 0,
        cost: 0n,
        latencyMin: interaction.latencyMs,
        latencyMax: interaction.latencyMs,
        histogram: new Map(),
      };
      deltas.set(id, delta);
    }
    delta.count += 1;
    if (interaction.status === 'error') delta.errors += 1;
    if (interaction.unpriced) delta.unpriced += 1;
    delta.inputTokens += interaction.inputTokens;
    delta.outputTokens += interaction.outputTokens;
    delta.cachedInputTokens += interaction.cachedInputTokens;
    delta.reasoningTokens += interaction.reasoningTokens;
    delta.totalTokens += interaction.totalTokens;
    if (cost) delta.cost += parseDecimal(cost.amount, COST_SCALE);
    delta.latencyMin = Math.min(delta.latencyMin, interaction.latencyMs);
    delta.latencyMax = Math.max(delta.latencyMax, interaction.latencyMs);
    observe(delta.histogram, interaction.latencyMs);
  }
  // One order for every writer, so two transactions never lock rows crosswise.
  return [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, delta]) => delta);
}

/**
 * How many rows one rollup key may be spread over. Each recording
 * transaction takes the next slot of this process (takeSlot, round robin), so
 * up to this many recorders for the same user, day and model running at once
 * add to different rows and do not wait for one another's row lock until
 * commit. Readers sum a key's slots, so a key costs up to this many rows.
 */
export const ROLLUP_SLOTS = 16;

// A random start, so replicas do not all begin on slot 0.
let nextSlot = randomInt(ROLLUP_SLOTS);

/**
 * The slot of a new recording transaction: consecutive transactions of this
 * process take consecutive slots, so the transactions in flight together
 * share none until more than ROLLUP_SLOTS of them overlap (replicas may still
 * meet on a slot, and then take turns as every writer did with one row).
 */
export function takeSlot(): number {
  const slot = nextSlot;
  nextSlot = (nextSlot + 1) % ROLLUP_SLOTS;
  return slot;
}

/** The delta columns with their SQL types, in the order of the JSON rows. */
const DELTA_COLUMNS = [
  'day date',
  'user_id uuid',
  'module "ai_usage"."ai_module"',
  'provider text',
  'model text',
  'currency text',
  'interaction_count bigint',
  'error_count bigint',
  'unpriced_count bigint',
  'input_tokens bigint',
  'output_tokens bigint',
  'cached_input_tokens bigint',
  'reasoning_tokens bigint',
  'total_tokens bigint',
  'cost numeric',
  'latency_min int',
  'latency_max int',
  'latency_histogram jsonb',
];
const DELTA_NAMES = DELTA_COLUMNS.map((column) => column.split(' ')[0]);

/** How a row added to an existing one combines with it: sums add, min and max combine, histograms merge bucket by bucket. */
const MERGE_ON_CONFLICT = `ON CONFLICT (day, user_id, module, provider, model, currency, slot) DO UPDATE SET
    interaction_count = u.interaction_count + EXCLUDED.interaction_count,
    error_count = u.error_count + EXCLUDED.error_count,
    unpriced_count = u.unpriced_count + EXCLUDED.unpriced_count,
    input_tokens = u.input_tokens + EXCLUDED.input_tokens,
    output_tokens = u.output_tokens + EXCLUDED.output_tokens,
    cached_input_tokens = u.cached_input_tokens + EXCLUDED.cached_input_tokens,
    reasoning_tokens = u.reasoning_tokens + EXCLUDED.reasoning_tokens,
    total_tokens = u.total_tokens + EXCLUDED.total_tokens,
    cost = u.cost + EXCLUDED.cost,
    latency_min = least(u.latency_min, EXCLUDED.latency_min),
    latency_max = greatest(u.latency_max, EXCLUDED.latency_max),
    latency_histogram = (
      SELECT jsonb_object_agg(bucket, total)
        FROM (SELECT bucket, sum(n::bigint) AS total
                FROM (SELECT * FROM jsonb_each_text(u.latency_histogram)
                      UNION ALL
                      SELECT * FROM jsonb_each_text(EXCLUDED.latency_histogram)) AS h(bucket, n)
               GROUP BY bucket) AS merged)`;

/**
 * The upsert of any number of deltas (one JSON parameter, so one fixed
 * statement the connection prepares once) into slot $2, in the order given.
 */
export const UPSERT_SQL = `INSERT INTO "ai_usage"."usage_daily" AS u
    (${DELTA_NAMES.join(', ')}, slot)
  SELECT ${DELTA_NAMES.map((name) => `d.${name}`).join(', ')},
         $2::smallint
    FROM ROWS FROM (json_to_recordset($1::json) AS (${DELTA_COLUMNS.join(', ')}))
         WITH ORDINALITY AS d(${DELTA_NAMES.join(', ')}, n)
   ORDER BY d.n
  ${MERGE_ON_CONFLICT}`;

/**
 * Who the rollup rows of an erased user are counted under: nobody. The
 * nil UUID is never a user's id (ids are UUIDv7).
 */
export const ERASED_USER_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Moves user $1's rollup rows to user $2, merging them into that user's rows
 * of the same key and slot (each target row is met at most once: the key
 * differs only in the user). Returns one row per row moved.
 */
const REASSIGN_SQL = `WITH moved AS (
    DELETE FROM "ai_usage"."usage_daily" WHERE user_id = $1 RETURNING *)
  INSERT INTO "ai_usage"."usage_daily" AS u (${DELTA_NAMES.join(', ')}, slot)
  SELECT ${DELTA_NAMES.map((name) => (name === 'user_id' ? '$2::uuid' : `m.${name}`)).join(', ')},
         m.slot
    FROM moved AS m
  ${MERGE_ON_CONFLICT}
  RETURNING 1`;

/**
 * Takes a user out of the rollup without changing any total: their rows are
 * folded into ERASED_USER_ID's, so summaries by module, provider, model and
 * day, and module budgets, still count what was spent, and nothing in the
 * rollup names the user. Returns how many rows were moved.
 */
export async function anonymiseRollup(manager: EntityManager, userId: string): Promise<number> {
  const moved = await queryPrepared(manager, REASSIGN_SQL, [userId, ERASED_USER_ID]);
  return moved.length;
}

/** UPSERT_SQL's parameters: the deltas as JSON rows, and the slot. */
export function upsertParams(deltas: readonly RollupDelta[], slot: number): [string, number] {
  const rows = deltas.map((delta) => {
    const values = [
      ...delta.key,
      delta.count,
      delta.errors,
      delta.unpriced,
      delta.inputTokens,
      delta.outputTokens,
      delta.cachedInputTokens,
      delta.reasoningTokens,
      delta.totalTokens,
      formatDecimal(delta.cost, COST_SCALE),
      delta.latencyMin,
      delta.latencyMax,
      toJson(delta.histogram),
    ];
    return Object.fromEntries(DELTA_NAMES.map((name, i) => [name, values[i]]));
  });
  return [JSON.stringify(rows), slot];
}

/**
 * Adds recorded interactions to the daily rollup in the recording
 * transaction, so a summary never disagrees with the interactions that
 * committed. All of one transaction's keys go to one slot and in one order
 * (rollupDeltas sorts them), so two transactions sharing a slot still never
 * lock rows crosswise.
 */
export async function addToRollup(
  manager: EntityManager,
  interactions: readonly AiInteractionEntity[],
  slot: number = takeSlot(),
): Promise<void> {
  const deltas = rollupDeltas(interactions);
  if (deltas.length > 0) await queryPrepared(manager, UPSERT_SQL, upsertParams(deltas, slot));
}
