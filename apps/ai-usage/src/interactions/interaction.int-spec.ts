import { createHash, createHmac } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { Tx } from '@nexus/db';
import { aiUsageV1 } from '@nexus/proto';
import { EventCollector, grpcError } from '@nexus/testing';
import {
  interaction,
  startAiUsage,
  uniqueProvider,
  type AiUsageHarness,
  type Caller,
} from '../testing/ai-usage-harness';
import { interactionAggregate } from './interaction.aggregate';
import { AiInteractionEntity } from './interaction.entity';

// Two deployments with keys of their own.
const SECRET = 'interaction-int-spec-prompt-hash-secret-1';
const OTHER_SECRET = 'interaction-int-spec-prompt-hash-secret-2';
let ai: AiUsageHarness;
let capturing: AiUsageHarness;
let events: EventCollector;

beforeAll(async () => {
  [ai, capturing] = await Promise.all([
    startAiUsage({ AI_USAGE_CAPTURE_PROMPTS: 'false', AI_PROMPT_HASH_SECRET: SECRET }),
    startAiUsage({ AI_USAGE_CAPTURE_PROMPTS: 'true', AI_PROMPT_HASH_SECRET: OTHER_SECRET }),
  ]);
  events = await EventCollector.start(['nexus.ai-usage.interaction']);
});

afterAll(async () => {
  await events.stop();
  await Promise.all([ai.stop(), capturing.stop()]);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text).digest('hex');
const list = (caller: Caller, request: Partial<aiUsageV1.ListInteractionsRequest>) =>
  ai.usage.listInteractions(aiUsageV1.ListInteractionsRequest.fromPartial(request), caller);

describe('prompt capture', () => {
  it('stores only lengths and keyed hashes when capture is off, in the API and in events', async () => {
    const user = ai.as('user');
    const recorded = await ai.usage.recordInteraction(
      { interaction: interaction({ prompt: 'secret plan', response: 'ok' }), requestId: '' },
      user,
    );
    expect(recorded).toMatchObject({
      prompt: '',
      response: '',
      promptCaptured: false,
      promptLength: 11,
      responseLength: 2,
      promptHmac: hmac(SECRET, 'secret plan'),
      responseHmac: hmac(SECRET, 'ok'),
      promptSha256: '',
      responseSha256: '',
    });
    const [created] = await events.waitForSubject(recorded.id, 1);
    const value = JSON.stringify(created?.data);
    expect(value).not.toContain('secret plan');
    // The unkeyed hash, which confirms a guess of a short prompt, is nowhere.
    expect(value).not.toContain(sha256('secret plan'));
    expect(value).toContain(hmac(SECRET, 'secret plan'));
  });

  it("keys the hash with the deployment's secret: another secret gives another hash", async () => {
    const text = { prompt: 'yes', response: 'no' };
    const [here, there] = await Promise.all([
      ai.usage.recordInteraction({ interaction: interaction(text), requestId: '' }, ai.as('user')),
      capturing.usage.recordInteraction(
        { interaction: interaction(text), requestId: '' },
        capturing.as('user'),
      ),
    ]);
    expect(here.promptHmac).toBe(hmac(SECRET, 'yes'));
    expect(there.promptHmac).toBe(hmac(OTHER_SECRET, 'yes'));
    expect(here.promptHmac).not.toBe(there.promptHmac);
    expect(here.promptHmac).not.toBe(sha256('yes'));
  });

  it('keeps the text when the deployment captures prompts', async () => {
    const recorded = await capturing.usage.recordInteraction(
      { interaction: interaction({ prompt: 'keep me', response: 'kept' }), requestId: '' },
      capturing.as('user'),
    );
    expect(recorded).toMatchObject({
      prompt: 'keep me',
      response: 'kept',
      promptCaptured: true,
      promptHmac: hmac(OTHER_SECRET, 'keep me'),
    });
  });
});

describe('RecordInteraction', () => {
  it('records for the caller, with one created event keyed by the interaction', async () => {
    const user = ai.as('user');
    const recorded = await ai.usage.recordInteraction(
      { interaction: interaction({ provider: 'OpenAI', requestModel: 'GPT-4o' }), requestId: '' },
      user,
    );
    expect(recorded).toMatchObject({
      userId: user.userId,
      provider: 'openai',
      requestModel: 'gpt-4o',
      totalTokens: 1200,
    });
    const [created] = await events.waitForSubject(recorded.id, 1);
    expect(created).toMatchObject({ type: 'nexus.ai-usage.interaction.created', key: recorded.id });
    expect(created?.data.after?.userId).toBe(user.userId);
  });

  it('returns the first interaction for a retried request id, with one event', async () => {
    const user = ai.as('user');
    const requestId = uuidv7();
    const request = { interaction: interaction(), requestId };
    const [a, b] = await Promise.all([
      ai.usage.recordInteraction(request, user),
      ai.usage.recordInteraction(request, user),
    ]);
    const c = await ai.usage.recordInteraction(request, user);
    expect(new Set([a.id, b.id, c.id]).size).toBe(1);
    await events.waitForSubject(a.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.about(a.id)).toHaveLength(1);
    expect((await list(user, {})).interactions).toHaveLength(1);
  });

  it('reports every malformed field and writes nothing', async () => {
    const user = ai.as('user');
    const error = await grpcError(
      ai.usage.recordInteraction(
        {
          interaction: aiUsageV1.AiInteraction.fromPartial({
            provider: '',
            requestModel: 'gpt-4o',
            module: 99 as aiUsageV1.Module,
            operation: aiUsageV1.Operation.OPERATION_CHAT,
            inputTokens: 10,
            cachedInputTokens: 20,
            outputTokens: -1,
            latencyMs: 5,
            status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
          }),
          requestId: 'nope',
        },
        user,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual(
      [
        'interaction.module',
        'interaction.output_tokens',
        'interaction.provider',
        'request_id',
      ].sort(),
    );
    const cached = await grpcError(
      ai.usage.recordInteraction(
        { interaction: interaction({ inputTokens: 10, cachedInputTokens: 20 }), requestId: '' },
        user,
      ),
    );
    expect(cached.fields).toEqual(['interaction.cached_input_tokens']);
    // Each count fits an int32; their total must fit one too (found by the fuzz run: INTERNAL).
    const overflow = await grpcError(
      ai.usage.recordInteraction(
        {
          interaction: interaction({ inputTokens: 2_147_483_647, outputTokens: 1_000 }),
          requestId: '',
        },
        user,
      ),
    );
    expect(overflow.code).toBe(status.INVALID_ARGUMENT);
    expect(overflow.fields).toEqual(['interaction.output_tokens']);
    expect((await list(user, {})).interactions).toHaveLength(0);
  });

  it('lets users record only for themselves, admins for anyone, and guests not at all', async () => {
    const user = ai.as('user');
    const someone = uuidv7();
    const denied = await grpcError(
      ai.usage.recordInteraction(
        { interaction: interaction({ userId: someone }), requestId: '' },
        user,
      ),
    );
    expect(denied).toMatchObject({ code: status.PERMISSION_DENIED, reason: 'NOT_YOURSELF' });
    const guest = await grpcError(
      ai.usage.recordInteraction({ interaction: interaction(), requestId: '' }, ai.as('guest')),
    );
    expect(guest.code).toBe(status.PERMISSION_DENIED);
    const byAdmin = await ai.usage.recordInteraction(
      { interaction: interaction({ userId: someone }), requestId: '' },
      ai.as('admin'),
    );
    expect(byAdmin.userId).toBe(someone);
    const anonymous = await grpcError(
      ai.usage.recordInteraction({ interaction: interaction(), requestId: '' }),
    );
    expect(anonymous.code).toBe(status.UNAUTHENTICATED);
  });
});

describe('BatchRecordInteractions', () => {
  it("writes for each item the created event the kit's Tx.emit writes for one create", async () => {
    const user = ai.as('user');
    const { interactions } = await ai.usage.batchRecordInteractions(
      {
        requests: [
          { interaction: interaction({ metadata: { feature: 'digest', n: 2 } }), requestId: '' },
          {
            interaction: interaction({
              reportedCost: { amount: '0.25', currencyCode: 'EUR' },
              timeToFirstTokenMs: 40,
              status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR,
              errorMessage: 'overloaded',
            }),
            requestId: uuidv7(),
          },
        ],
      },
      user,
    );
    const dataSource = ai.service.runtime.dataSource;
    for (const recorded of interactions) {
      const [event] = await events.waitForSubject(recorded.id, 1);
      const entity = await dataSource.manager.findOneByOrFail(AiInteractionEntity, {
        id: recorded.id,
      });
      // What the kit's one-by-one path writes for this create, rolled back.
      let kitRow: { type: string; source: string; payload: unknown } | undefined;
      await expect(
        dataSource.transaction(async (manager) => {
          await new Tx(manager, user.userId).emit(interactionAggregate, 'created', null, entity);
          [kitRow] = await manager.query<[typeof kitRow]>(
            `SELECT type, source, payload FROM "ai_usage"."outbox" ORDER BY id DESC LIMIT 1`,
          );
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(event).toMatchObject({ type: kitRow?.type, source: kitRow?.source });
      expect(event?.data).toEqual(kitRow?.payload);
    }
  });

  it('records all in one transaction with one event each, deduplicating request ids', async () => {
    const user = ai.as('user');
    const repeated = uuidv7();
    const once = interaction({ latencyMs: 1 });
    const { interactions } = await ai.usage.batchRecordInteractions(
      {
        requests: [
          { interaction: once, requestId: repeated },
          { interaction: interaction({ latencyMs: 2 }), requestId: '' },
          { interaction: once, requestId: repeated },
        ],
      },
      user,
    );
    expect(interactions.map((i) => i.latencyMs)).toEqual([1, 2, 1]);
    expect(interactions[2]?.id).toBe(interactions[0]?.id);
    for (const recorded of interactions) await events.waitForSubject(recorded.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.about(interactions[0].id)).toHaveLength(1);
  });

  it('refuses a request id repeated for another interaction, recording nothing of the batch', async () => {
    const user = ai.as('user');
    const repeated = uuidv7();
    const error = await grpcError(
      ai.usage.batchRecordInteractions(
        {
          requests: [
            {
              interaction: interaction({ latencyMs: 1, requestModel: 'refused' }),
              requestId: repeated,
            },
            {
              interaction: interaction({ latencyMs: 3, requestModel: 'refused' }),
              requestId: repeated,
            },
          ],
        },
        user,
      ),
    );
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['request_id'] });
    expect((await list(user, { model: 'refused' })).interactions).toEqual([]);
  });

  it('records nothing when one interaction of the batch is refused', async () => {
    const user = ai.as('user');
    const error = await grpcError(
      ai.usage.batchRecordInteractions(
        {
          requests: [
            { interaction: interaction(), requestId: '' },
            { interaction: interaction({ userId: uuidv7() }), requestId: '' },
          ],
        },
        user,
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect((await list(user, {})).interactions).toHaveLength(0);
  });
});

describe('GetInteraction and ListInteractions', () => {
  it("lets users read only their own interactions and managers everyone's", async () => {
    const owner = ai.as('user');
    const recorded = await ai.usage.recordInteraction(
      { interaction: interaction(), requestId: '' },
      owner,
    );
    expect((await ai.usage.getInteraction({ id: recorded.id }, owner)).id).toBe(recorded.id);
    expect((await ai.usage.getInteraction({ id: recorded.id }, ai.as('manager'))).id).toBe(
      recorded.id,
    );
    const other = await grpcError(ai.usage.getInteraction({ id: recorded.id }, ai.as('user')));
    expect(other.code).toBe(status.PERMISSION_DENIED);
    const peek = await grpcError(list(ai.as('user'), { userId: owner.userId }));
    expect(peek).toMatchObject({ code: status.PERMISSION_DENIED, fields: ['user_id'] });
    const missing = await grpcError(ai.usage.getInteraction({ id: uuidv7() }, owner));
    expect(missing.code).toBe(status.NOT_FOUND);
  });

  it('pages through typed filters with keyset tokens, each match once', async () => {
    const user = ai.as('user');
    const provider = uniqueProvider();
    const base = Date.parse('2025-04-01T00:00:00Z');
    const requests = Array.from({ length: 7 }, (_, i) => ({
      interaction: interaction({
        provider,
        requestModel: i % 2 === 0 ? 'even' : 'odd',
        startTime: new Date(base + i * 60_000),
        status:
          i === 3
            ? aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR
            : aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
        errorMessage: i === 3 ? 'rate_limited' : '',
      }),
      requestId: '',
    }));
    await ai.usage.batchRecordInteractions({ requests }, user);
    const seen: number[] = [];
    let pageToken = '';
    do {
      const page = await list(user, {
        provider,
        model: 'even',
        pageSize: 2,
        pageToken,
        orderBy: aiUsageV1.InteractionOrderBy.INTERACTION_ORDER_BY_START_TIME_ASC,
        includeTotalSize: true,
      });
      expect(page.totalSize).toBe(4);
      seen.push(...page.interactions.map((i) => (i.startTime!.getTime() - base) / 60_000));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([0, 2, 4, 6]);
    const errors = await list(ai.as('manager'), {
      provider,
      status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR,
    });
    expect(errors.interactions.map((i) => i.errorMessage)).toEqual(['rate_limited']);
    const window = await list(user, {
      provider,
      startTime: new Date(base + 60_000),
      endTime: new Date(base + 3 * 60_000),
    });
    expect(window.interactions).toHaveLength(2);
    const replayed = await grpcError(
      list(user, {
        provider,
        model: 'odd',
        pageToken: (await list(user, { provider, pageSize: 1 })).nextPageToken,
      }),
    );
    expect(replayed.fields).toEqual(['page_token']);
  });
});
