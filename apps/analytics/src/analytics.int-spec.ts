import { generateKeyPairSync } from 'node:crypto';
import { uuidv7, type Role } from '@nexus/core';
import { eventType, platformEventTypes, type JsonObject } from '@nexus/db';
import { ensureTopics } from '@nexus/events';
import { aiUsageV1, commsV1, contentV1, workV1 } from '@nexus/proto';
import { DeadLetterReader, header, signTestToken } from '@nexus/testing';
import { DEAD_LETTER_TOPIC } from './consumer/platform-topics';
import {
  eventually,
  startAnalytics,
  testKafka,
  type AnalyticsHarness,
} from './testing/analytics-harness';
import {
  EventPublisher,
  atDay,
  dayOf,
  isolatedDay,
  platformEvent,
  resources,
} from './testing/platform-events';

// The first assertion waits for a fresh group to replay the broker's history.
jest.setTimeout(150_000);

const kafka = testKafka();
let analytics: AnalyticsHarness;
let publisher: EventPublisher;
let deadLetters: DeadLetterReader;

type Rows = { rows: Record<string, string | number>[] };

beforeAll(async () => {
  await ensureTopics(kafka, [DEAD_LETTER_TOPIC]);
  analytics = await startAnalytics();
  publisher = await EventPublisher.connect(kafka);
  deadLetters = await DeadLetterReader.start('analytics', analytics.config.consumerGroup);
}, 60_000);

afterAll(async () => {
  await deadLetters?.stop();
  await publisher?.close();
  await analytics?.stop();
});

/** GET an API path until its rows equal `expected`. */
function rowsOf(path: string, expected: unknown[]): Promise<unknown> {
  return eventually(
    async () => (await analytics.get<Rows>(path)).body.rows,
    (rows) => JSON.stringify(rows) === JSON.stringify(expected),
  );
}

describe('analytics read models', () => {
  it('counts documents created and edited per day by kind', async () => {
    const t = isolatedDay();
    const owner = uuidv7();
    const sheet = resources.document({
      kind: contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET,
      ownerId: owner,
    });
    const doc = resources.document({ kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT });
    await publisher.publish(
      platformEvent('nexus.content.document', 'created', { after: sheet, actor: owner, time: t }),
      platformEvent('nexus.content.document', 'created', { after: doc, actor: owner, time: t }),
      platformEvent('nexus.content.document', 'updated', {
        before: sheet,
        after: { ...sheet, title: 'Budget' },
        actor: owner,
        time: atDay(t, 1),
      }),
      platformEvent('nexus.content.document', 'updated', {
        before: sheet,
        after: sheet,
        actor: owner,
        time: atDay(t, 1),
      }),
      // Deleting is neither creating nor editing.
      platformEvent('nexus.content.document', 'deleted', { before: doc, actor: owner, time: t }),
    );
    await rowsOf(`/api/v1/documents?from=${dayOf(t)}&to=${dayOf(t, 1)}&group_by=day,kind`, [
      { day: dayOf(t), kind: 'DOCUMENT_KIND_DOCUMENT', created: 1, edited: 0 },
      { day: dayOf(t), kind: 'DOCUMENT_KIND_SPREADSHEET', created: 1, edited: 0 },
      { day: dayOf(t, 1), kind: 'DOCUMENT_KIND_SPREADSHEET', created: 0, edited: 2 },
    ]);
    await rowsOf(`/api/v1/documents?from=${dayOf(t)}&to=${dayOf(t, 1)}&group_by=kind`, [
      { kind: 'DOCUMENT_KIND_DOCUMENT', created: 1, edited: 0 },
      { kind: 'DOCUMENT_KIND_SPREADSHEET', created: 1, edited: 2 },
    ]);
  });

  it('counts an email as sent once, when its sender copy turns SENT', async () => {
    const t = isolatedDay();
    const sender = uuidv7();
    const draft = resources.email({
      ownerId: sender,
      senderId: sender,
      status: commsV1.EmailStatus.EMAIL_STATUS_DRAFT,
      mailbox: commsV1.MailboxRole.MAILBOX_ROLE_DRAFTS,
    });
    const sent = {
      ...draft,
      status: 'EMAIL_STATUS_SENT',
      mailbox: 'MAILBOX_ROLE_SENT',
      sendTime: t.toISOString(),
    };
    const received = resources.email({
      senderId: sender,
      status: commsV1.EmailStatus.EMAIL_STATUS_RECEIVED,
      mailbox: commsV1.MailboxRole.MAILBOX_ROLE_INBOX,
    });
    await publisher.publish(
      platformEvent('nexus.comms.email', 'created', { after: draft, actor: sender, time: t }),
      platformEvent('nexus.comms.email', 'sent', {
        before: draft,
        after: sent,
        actor: sender,
        time: t,
      }),
      platformEvent('nexus.comms.email', 'created', { after: received, actor: sender, time: t }),
      // Reading the sent copy later changes it but sends nothing.
      platformEvent('nexus.comms.email', 'updated', {
        before: sent,
        after: { ...sent, read: true },
        actor: sender,
        time: t,
      }),
    );
    await rowsOf(`/api/v1/emails?from=${dayOf(t)}&to=${dayOf(t)}`, [{ day: dayOf(t), sent: 1 }]);
  });

  it('counts chat messages per room per day', async () => {
    const t = isolatedDay();
    const [roomA, roomB] = [uuidv7(), uuidv7()].sort();
    const message = (roomId: string) => resources.chatMessage({ roomId });
    const posted = (roomId: string, time: Date) =>
      platformEvent('nexus.comms.chat-message', 'created', {
        after: message(roomId),
        actor: uuidv7(),
        time,
      });
    const edit = message(roomA);
    await publisher.publish(
      posted(roomA, t),
      posted(roomA, t),
      posted(roomB, t),
      posted(roomA, atDay(t, 1)),
      platformEvent('nexus.comms.chat-message', 'updated', {
        before: edit,
        after: { ...edit, text: 'edited', edited: true },
        time: t,
      }),
    );
    await rowsOf(`/api/v1/chat-messages?from=${dayOf(t)}&to=${dayOf(t, 1)}`, [
      { day: dayOf(t), room: roomA, messages: 2 },
      { day: dayOf(t), room: roomB, messages: 1 },
      { day: dayOf(t, 1), room: roomA, messages: 1 },
    ]);
    await rowsOf(
      `/api/v1/chat-messages?from=${dayOf(t)}&to=${dayOf(t, 1)}&room_id=${roomA}&group_by=`,
      [{ messages: 3 }],
    );
  });

  it('counts tasks created and completed per project per day, and open and overdue now', async () => {
    const t = isolatedDay();
    const project = uuidv7();
    const todo = (dueDate: string) =>
      resources.task({ projectId: project, status: workV1.TaskStatus.TASK_STATUS_TODO, dueDate });
    const [late, onTime, done, gone] = [
      todo(dayOf(t, -1)),
      todo(dayOf(t, 5)),
      todo(''),
      todo(dayOf(t, -3)),
    ];
    const finished = {
      ...done,
      status: 'TASK_STATUS_DONE',
      completeTime: atDay(t, 1).toISOString(),
    };
    await publisher.publish(
      ...[late, onTime, done, gone].map((task) =>
        platformEvent('nexus.work.task', 'created', { after: task, actor: uuidv7(), time: t }),
      ),
      platformEvent('nexus.work.task', 'completed', {
        before: done,
        after: finished,
        time: atDay(t, 1),
      }),
      // A later edit of a done task completes nothing again.
      platformEvent('nexus.work.task', 'updated', {
        before: finished,
        after: { ...finished, title: 'renamed' },
        time: atDay(t, 1),
      }),
      platformEvent('nexus.work.task', 'deleted', { before: gone, time: atDay(t, 1) }),
    );
    await rowsOf(`/api/v1/tasks?from=${dayOf(t)}&to=${dayOf(t, 1)}&project_id=${project}`, [
      { day: dayOf(t), project, created: 4, completed: 0 },
      { day: dayOf(t, 1), project, created: 0, completed: 1 },
    ]);
    // Events of different tasks travel on different partitions: the deletion
    // of `gone` may be applied after the counts above already show.
    const expected = { asOf: dayOf(t, 1), rows: [{ open: 2, overdue: 1 }] };
    const open = await eventually(
      () => analytics.get(`/api/v1/tasks/open?project_id=${project}&as_of=${dayOf(t, 1)}`),
      (reply) => JSON.stringify(reply.body) === JSON.stringify(expected),
    );
    expect(open.body).toEqual(expected);
    const later = await analytics.get(
      `/api/v1/tasks/open?project_id=${project}&as_of=${dayOf(t, 6)}&group_by=project`,
    );
    expect(later.body).toEqual({ asOf: dayOf(t, 6), rows: [{ project, open: 2, overdue: 2 }] });
  });

  it('sums AI tokens and cost per model, module and user per day, cost as a decimal string', async () => {
    const t = isolatedDay();
    const user = uuidv7();
    const model = `gpt-test-${uuidv7().slice(-6)}`;
    const used = (
      inputTokens: number,
      outputTokens: number,
      amount: string,
      module: aiUsageV1.Module,
    ) =>
      platformEvent('nexus.ai-usage.interaction', 'created', {
        after: resources.interaction({
          userId: user,
          requestModel: model,
          responseModel: model,
          module,
          inputTokens,
          outputTokens,
          totalTokens: inputTokens + outputTokens,
          cost: { amount, currencyCode: 'USD' },
        }),
        actor: user,
        time: t,
      });
    await publisher.publish(
      used(1000, 200, '0.0125', aiUsageV1.Module.MODULE_DOCUMENTS),
      used(10, 5, '0.1', aiUsageV1.Module.MODULE_DOCUMENTS),
      used(300, 0, '0.000000001', aiUsageV1.Module.MODULE_EMAIL),
    );
    const base = `/api/v1/ai-usage?from=${dayOf(t)}&to=${dayOf(t)}&model=${model}`;
    await rowsOf(`${base}&group_by=day,model,module,user`, [
      {
        day: dayOf(t),
        model,
        module: 'MODULE_DOCUMENTS',
        user,
        currency: 'USD',
        interactions: 2,
        inputTokens: 1010,
        outputTokens: 205,
        totalTokens: 1215,
        cost: '0.1125',
      },
      {
        day: dayOf(t),
        model,
        module: 'MODULE_EMAIL',
        user,
        currency: 'USD',
        interactions: 1,
        inputTokens: 300,
        outputTokens: 0,
        totalTokens: 300,
        cost: '0.000000001',
      },
    ]);
    await rowsOf(`${base}&group_by=model`, [
      {
        model,
        currency: 'USD',
        interactions: 3,
        inputTokens: 1310,
        outputTokens: 205,
        totalTokens: 1515,
        cost: '0.112500001',
      },
    ]);
  });

  it('counts every event per type per day, unknown verbs included, and each actor once per day', async () => {
    const t = isolatedDay();
    const [alice, bob] = [uuidv7(), uuidv7()];
    const task = resources.task({ projectId: uuidv7() });
    await publisher.publish(
      platformEvent('nexus.work.task', 'created', { after: task, actor: alice, time: t }),
      platformEvent('nexus.work.task', 'frobnicated', {
        before: task,
        after: task,
        actor: alice,
        time: t,
      }),
      platformEvent('nexus.work.task', 'frobnicated', {
        before: task,
        after: task,
        actor: bob,
        time: t,
      }),
      platformEvent('nexus.work.task', 'frobnicated', {
        before: task,
        after: task,
        time: atDay(t, 1),
      }),
    );
    await rowsOf(`/api/v1/events?from=${dayOf(t)}&to=${dayOf(t, 1)}`, [
      { day: dayOf(t), type: 'nexus.work.task.created', events: 1 },
      { day: dayOf(t), type: 'nexus.work.task.frobnicated', events: 2 },
      { day: dayOf(t, 1), type: 'nexus.work.task.frobnicated', events: 1 },
    ]);
    await rowsOf(`/api/v1/active-users?from=${dayOf(t)}&to=${dayOf(t, 1)}`, [
      { day: dayOf(t), activeUsers: 2 },
    ]);
  });

  it('applies a redelivered event (same ce_id) once', async () => {
    const t = isolatedDay();
    const roomId = uuidv7();
    const message = resources.chatMessage({ roomId });
    const event = platformEvent('nexus.comms.chat-message', 'created', { after: message, time: t });
    await publisher.publish(event);
    const path = `/api/v1/chat-messages?from=${dayOf(t)}&to=${dayOf(t)}&group_by=room`;
    await rowsOf(path, [{ room: roomId, messages: 1 }]);
    // The redelivery, then a marker behind it on the same partition (same key).
    await publisher.publish(event, { ...event, eventId: uuidv7(), time: atDay(t, 1) });
    await rowsOf(`/api/v1/chat-messages?from=${dayOf(t, 1)}&to=${dayOf(t, 1)}&group_by=room`, [
      { room: roomId, messages: 1 },
    ]);
    expect((await analytics.get<Rows>(path)).body.rows).toEqual([{ room: roomId, messages: 1 }]);
    expect(
      (await analytics.get<Rows>(`/api/v1/events?from=${dayOf(t)}&to=${dayOf(t)}`)).body.rows,
    ).toEqual([{ day: dayOf(t), type: 'nexus.comms.chat-message.created', events: 1 }]);
  });

  it('applies one event of every type the platform publishes and dead-letters none of them', async () => {
    const t = isolatedDay();
    // The kit's catalogue: a verb a service emits is in it, or its emit throws.
    const types = platformEventTypes();
    const sample = (topic: string): JsonObject => {
      switch (topic) {
        case 'nexus.comms.chat-message':
          return resources.chatMessage({ roomId: uuidv7() });
        case 'nexus.work.task':
          return resources.task({
            projectId: uuidv7(),
            status: workV1.TaskStatus.TASK_STATUS_DONE,
          });
        case 'nexus.ai-usage.interaction':
          return resources.interaction({ inputTokens: 1 });
        default:
          return { id: uuidv7() };
      }
    };
    const events = types.map((type) => {
      const topic = type.slice(0, type.lastIndexOf('.'));
      const verb = type.slice(topic.length + 1);
      const resource = sample(topic);
      return {
        ...platformEvent(topic, verb, {
          before: verb === 'created' ? null : resource,
          after: verb === 'deleted' ? null : resource,
          actor: uuidv7(),
          time: t,
        }),
        type: eventType(topic, verb),
      };
    });
    expect(types).toContain('nexus.users.user.password_changed');
    await publisher.publish(...events);
    const expected = types.map((type) => ({ day: dayOf(t), type, events: 1 }));
    const sorted = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort();
    await eventually(
      async () =>
        (await analytics.get<Rows>(`/api/v1/events?from=${dayOf(t)}&to=${dayOf(t)}`)).body.rows,
      (rows) => JSON.stringify(sorted(rows)) === JSON.stringify(sorted(expected)),
    );
    const subjects = new Set(events.map((event) => event.subject));
    expect(deadLetters.messages.filter((m) => subjects.has(m.key?.toString() ?? ''))).toEqual([]);
  });

  it('dead-letters a message that is not a platform event, with the error in a header, and goes on', async () => {
    const t = isolatedDay();
    const key = uuidv7();
    await publisher.publishRaw('nexus.comms.chat-message', key, 'not json at all', {
      ce_specversion: '1.0',
      ce_id: uuidv7(),
      ce_type: 'nexus.comms.chat-message.created',
      ce_source: '/nexus/comms',
      ce_time: t.toISOString(),
      ce_subject: key,
    });
    const next = resources.chatMessage({ id: key, roomId: uuidv7() });
    await publisher.publish(
      platformEvent('nexus.comms.chat-message', 'created', { after: next, time: t }),
    );
    await rowsOf(`/api/v1/chat-messages?from=${dayOf(t)}&to=${dayOf(t)}&group_by=room`, [
      { room: next.roomId, messages: 1 },
    ]);
    const [dead] = await eventually(
      async () => deadLetters.messages.filter((m) => m.key?.toString() === key),
      (found) => found.length > 0,
    );
    expect(dead.value?.toString()).toBe('not json at all');
    expect(header(dead, 'dlq_error')).toBe('MalformedEventError: value is not JSON');
    expect(header(dead, 'dlq_topic')).toBe('nexus.comms.chat-message');
  });

  it('dead-letters a platform event it cannot read and counts nothing of it', async () => {
    const t = isolatedDay();
    const task = resources.task({ projectId: uuidv7() });
    const orphan = { ...task, projectId: 'not-a-project' };
    const wrongTopic = platformEvent('nexus.work.task', 'created', { after: task, time: t });
    await publisher.publish(
      platformEvent('nexus.work.task', 'created', { after: orphan, time: t }),
      {
        ...wrongTopic,
        topic: 'nexus.work.project',
        type: wrongTopic.topic + '.created',
        eventId: uuidv7(),
      },
      wrongTopic,
    );
    await rowsOf(`/api/v1/tasks?from=${dayOf(t)}&to=${dayOf(t)}&group_by=project`, [
      { project: task.projectId, created: 1, completed: 0 },
    ]);
    const dead = await eventually(
      async () => deadLetters.messages.filter((m) => m.key?.toString() === task.id),
      (found) => found.length === 2,
    );
    expect(dead.map((m) => header(m, 'dlq_error')).sort()).toEqual([
      'MalformedEventError: ce_type nexus.work.task.created does not belong on topic nexus.work.project',
      'UnreadableEventError: projectId is not an id',
    ]);
    expect(
      (await analytics.get<Rows>(`/api/v1/events?from=${dayOf(t)}&to=${dayOf(t)}`)).body.rows,
    ).toEqual([{ day: dayOf(t), type: 'nexus.work.task.created', events: 1 }]);
  });
});

describe('analytics HTTP API', () => {
  it.each([
    ['/api/v1/events?from=2024-13-01', 'from'],
    ['/api/v1/events?from=2024-02-30&to=2024-03-01', 'from'],
    ['/api/v1/events?from=2024-03-02&to=2024-03-01', 'from'],
    ['/api/v1/events?from=2023-01-01&to=2024-03-01', 'to'],
    ['/api/v1/events?group_by=day,colour', 'group_by'],
    ['/api/v1/tasks?project_id=42', 'project_id'],
    ['/api/v1/emails?colour=blue', ''],
    ['/api/v1/tasks/open?as_of=yesterday', 'as_of'],
  ])('answers %s with 400 naming %s', async (path, field) => {
    const { status, body } = await analytics.get<{
      error: { message: string; violations: { field: string; description: string }[] };
    }>(path);
    expect(status).toBe(400);
    expect(body.error.violations.map((v) => v.field)).toContain(field);
    expect(body.error.violations.every((v) => v.description.length > 0)).toBe(true);
  });

  it('answers an unknown API path with 404', async () => {
    expect((await analytics.get('/api/v1/nothing')).status).toBe(404);
  });

  it('shows consumer lag per partition and events applied per type on /metrics', async () => {
    const t = isolatedDay();
    const verb = `metered_${uuidv7().slice(-8)}`;
    const type = `nexus.work.project.${verb}`;
    const project = { id: uuidv7(), name: 'Metered' };
    const group = analytics.config.consumerGroup;
    await publisher.publish(platformEvent('nexus.work.project', verb, { after: project, time: t }));
    await rowsOf(`/api/v1/events?from=${dayOf(t)}&to=${dayOf(t)}&group_by=type`, [
      { type, events: 1 },
    ]);
    const metrics = await eventually(
      async () => (await fetch(`${analytics.baseUrl}/metrics`)).text(),
      (text) =>
        new RegExp(
          `nexus_consumer_lag\\{group="${group}",topic="nexus.work.project",partition="\\d"[^}]*\\} 0`,
        ).test(text),
    );
    expect(metrics).toMatch(
      new RegExp(`nexus_analytics_events_applied_total\\{[^}]*type="${type}"[^}]*\\} 1`),
    );
    for (const partition of [0, 1, 2]) {
      expect(metrics).toMatch(
        new RegExp(
          `nexus_consumer_lag\\{group="${group}",topic="nexus.work.project",partition="${partition}"`,
        ),
      );
    }
    const status = await analytics.get<{ consumerGroup: string; partitions: unknown[] }>(
      '/api/v1/status',
    );
    expect(status.body.consumerGroup).toBe(analytics.config.consumerGroup);
    expect(status.body.partitions.length).toBeGreaterThanOrEqual(30);
  });

  it('has no gRPC server and reports ready', async () => {
    expect(analytics.service.grpcPort).toBe(0);
    expect((await fetch(`${analytics.baseUrl}/readyz`)).status).toBe(200);
  });
});

describe('who may read the analytics API', () => {
  type ApiError = { error: { code: string; message: string } };
  const paths = ['/api/v1/events?from=2024-03-01&to=2024-03-02', '/api/v1/status'];
  const foreignKey = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;

  async function raw(path: string, authorization?: string) {
    const response = await fetch(`${analytics.baseUrl}${path}`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: (await response.json()) as ApiError,
    };
  }

  describe.each(paths)('%s', (path) => {
    it('answers 401 with a Bearer challenge without a token', async () => {
      const { status, challenge, body } = await raw(path);
      expect(status).toBe(401);
      expect(challenge).toBe('Bearer');
      expect(body.error.code).toBe('UNAUTHENTICATED');
    });

    it.each([
      ['a header that is not Bearer', 'Basic YWRtaW46YWRtaW4='],
      ['an empty bearer', 'Bearer '],
      ['a token that is not a JWT', 'Bearer not-a-token'],
      [
        'a token signed with another key',
        () => `Bearer ${signTestToken({ role: 'admin', key: foreignKey })}`,
      ],
      [
        'an expired token',
        () =>
          `Bearer ${signTestToken({ role: 'admin', issuedAt: Date.now() - 3_600_000, expiresInMs: 60_000 })}`,
      ],
    ])('answers 401 (invalid_token) to %s', async (_case, authorization) => {
      const header = typeof authorization === 'function' ? authorization() : authorization;
      const { status, challenge, body } = await raw(path, header);
      expect(status).toBe(401);
      expect(challenge).toBe('Bearer error="invalid_token"');
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(body)).not.toMatch(/rows|partitions/);
    });

    it('says an expired token has expired', async () => {
      const expired = signTestToken({
        role: 'manager',
        issuedAt: Date.now() - 3_600_000,
        expiresInMs: 60_000,
      });
      const { body } = await analytics.get<ApiError>(path, { token: expired });
      expect(body.error.message).toBe('the token has expired');
    });

    it.each<Role>(['user', 'guest'])('answers 403 to the %s role', async (role) => {
      const { status, body } = await analytics.get<ApiError>(path, {
        token: signTestToken({ role }),
      });
      expect(status).toBe(403);
      expect(body.error).toEqual({
        code: 'PERMISSION_DENIED',
        message: `analytics needs a manager or admin; you are signed in as a ${role}`,
      });
    });

    it.each<Role>(['manager', 'admin'])('answers 200 to the %s role', async (role) => {
      const { status, headers, body } = await analytics.get(path, {
        token: signTestToken({ role }),
      });
      expect(status).toBe(200);
      expect(headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(body)).toEqual(
        expect.arrayContaining([path.includes('status') ? 'partitions' : 'rows']),
      );
    });
  });

  it('asks for a token before saying whether an API path exists', async () => {
    expect((await raw('/api/v1/nothing')).status).toBe(401);
  });

  it.each(['/healthz', '/readyz', '/metrics', '/', '/dashboard/dashboard.js'])(
    'serves %s without a token',
    async (path) => {
      expect((await fetch(`${analytics.baseUrl}${path}`)).status).toBe(200);
    },
  );

  it('answers a sign-in with 503 while the users service is unreachable', async () => {
    // This harness's users address is a port nobody listens on.
    const { status, body } = await analytics.post<ApiError>('/auth/sign-in', {
      login: 'someone@example.com',
      password: 'correct horse battery staple',
    });
    expect(status).toBe(503);
    expect(body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
  });
});
