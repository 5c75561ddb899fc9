import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { aiUsageV1 } from '@nexus/proto';
import { grpcError, refusedWriteLog } from '@nexus/testing';
import {
  interaction,
  startAiUsage,
  type AiUsageHarness,
  type Caller,
} from '../testing/ai-usage-harness';

let ai: AiUsageHarness;
let caller: Caller;

beforeAll(async () => {
  // Logging on at error level (tests run silent), so the log can be scanned.
  ai = await startAiUsage({ LOG_LEVEL: 'error' });
  caller = ai.as('user');
});

afterAll(async () => {
  await ai.stop();
});

const record = (fields: Partial<aiUsageV1.AiInteraction>) =>
  ai.usage.recordInteraction(
    { interaction: interaction(fields), requestId: '' },
    { token: caller.token },
  );

/** RecordInteraction with start_time written by hand: the generated client only takes a Date. */
async function recordRaw(
  seconds: bigint,
  nanos: number,
): Promise<{ code: status; fields: string }> {
  const timestamp = new BinaryWriter().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();
  const body = aiUsageV1.AiInteraction.encode(interaction())
    .uint32((32 << 3) | 2)
    .bytes(timestamp);
  const request = new BinaryWriter()
    .uint32((1 << 3) | 2)
    .bytes(body.finish())
    .finish();
  const client = new Client(`127.0.0.1:${ai.service.grpcPort}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${caller.token}`);
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        '/nexus.aiusage.v1.AiUsageService/RecordInteraction',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from(request),
        metadata,
        (error: ServiceError | null) =>
          resolve({ code: error?.code ?? status.OK, fields: error?.details ?? '' }),
      );
    });
  } finally {
    client.close();
  }
}

describe('RecordInteraction input', () => {
  it.each([
    ['a start time before year 1', { startTime: new Date('-000001-06-01T00:00:00Z') }],
    ['a start time in year 0', { startTime: new Date('0000-12-31T23:59:59Z') }],
    ['a start time after year 9999', { startTime: new Date('+010000-01-01T00:00:01Z') }],
  ])('refuses %s on interaction.start_time', async (_, fields) => {
    const error = await grpcError(record(fields));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(['interaction.start_time']);
  });

  it('refuses nanos of 2,000,000,000 or -1 and accepts the last valid instant', async () => {
    const overflow = await recordRaw(1_700_000_000n, 2_000_000_000);
    expect(overflow.code).toBe(status.INVALID_ARGUMENT);
    expect(overflow.fields).toContain('interaction.start_time: nanos');
    expect((await recordRaw(1_700_000_000n, -1)).code).toBe(status.INVALID_ARGUMENT);
    expect((await recordRaw(-62_135_596_801n, 0)).code).toBe(status.INVALID_ARGUMENT);
    expect((await recordRaw(253_402_300_799n, 999_999_999)).code).toBe(status.OK);
    expect((await recordRaw(-62_135_596_800n, 0)).code).toBe(status.OK);
  });

  it.each([
    ['a NUL in a key', { 'a\u0000b': 1 }, 'interaction.metadata["a\\u0000b"]'],
    ['a NUL in a nested key', { a: [{ '\u0000': 1 }] }, 'interaction.metadata.a[0]["\\u0000"]'],
    ['NaN', { n: Number.NaN }, 'interaction.metadata["n"]'],
  ])('refuses metadata with %s naming the spot', async (_, metadata, field) => {
    const error = await grpcError(record({ metadata }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([field]);
  });

  it.each([' 5', '5 ', '+5', '1e3', '-1', '0.0000000000001'])(
    'refuses a reported cost of "%s"',
    async (amount) => {
      const error = await grpcError(record({ reportedCost: { amount, currencyCode: 'USD' } }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(['interaction.reported_cost.amount']);
    },
  );

  it('refuses a budget amount of " 5"', async () => {
    const admin = ai.as('admin');
    const error = await grpcError(
      ai.budgets.createBudget(
        {
          budget: aiUsageV1.Budget.fromPartial({
            scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
            userId: admin.userId,
            amount: { amount: ' 5', currencyCode: 'USD' },
          }),
          requestId: '',
        },
        { token: admin.token },
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(['budget.amount.amount']);
  });
});

describe('a write the database refuses', () => {
  it('answers INTERNAL and logs none of the request, nor the token', async () => {
    const conversationId = `refuse-${Date.now()}`;
    const prompt = `secret prompt ${Date.now()}`;
    const { result, unexpectedErrors, leaked } = await refusedWriteLog(
      {
        schema: 'ai_usage',
        table: 'ai_interactions',
        column: 'conversation_id',
        prefix: 'refuse-',
      },
      () => grpcError(record({ conversationId, prompt })),
      [conversationId, prompt, caller.token],
    );
    expect(result.code).toBe(status.INTERNAL);
    expect({ unexpectedErrors, leaked }).toEqual({ unexpectedErrors: 1, leaked: [] });
  });
});
