import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorkClients } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { workV1 } from '@nexus/proto';
import { as, eventually, signTestToken, startAppProcess, type AppProcess } from '@nexus/testing';

/** A span as OTLP/JSON carries it, with the service that exported it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

// OTLP's SpanKind numbers.
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/** OTLP/JSON ids are hex; tolerate base64 (protobuf-JSON bytes) too. */
function hexId(id: string | undefined): string {
  if (!id) return '';
  return /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex');
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? value.intValue ?? value.boolValue,
    ]),
  );
}

/** A small OTLP/HTTP receiver (JSON encoding): what the services export, in arrival order. */
async function startOtlpReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  server: Server;
}> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: hexId(span.traceId),
                spanId: hexId(span.spanId),
                parentSpanId: hexId(span.parentSpanId),
                name: span.name,
                kind: span.kind,
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

/** A pg instrumentation span (old or stable database semantic conventions). */
const isSql = (span: ReceivedSpan) =>
  (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql';

describe('tracing (OpenTelemetry over OTLP)', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let work: AppProcess;
  let analytics: AppProcess;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    [work, analytics] = await Promise.all([
      startAppProcess('work', otel),
      startAppProcess('analytics', {
        ...otel,
        // A group of its own: it reads every topic from the start, this test's event included.
        ANALYTICS_CONSUMER_GROUP: `nexus-analytics-tracing-${uuidv7()}`,
      }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([work?.stop(), analytics?.stop()]);
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('links a CreateTask, its SQL, the outbox write, the relay publish and the analytics apply in one trace', async () => {
    const clients = createWorkClients({ address: work.grpcAddress });
    const owner = signTestToken({ role: 'manager', expiresInMs: 600_000 });
    const project = await clients.projects.createProject(
      { project: workV1.Project.fromPartial({ name: `Traced ${uuidv7()}` }), requestId: '' },
      as(owner),
    );
    await clients.tasks.createTask(
      { task: workV1.Task.fromPartial({ title: 'Traced', projectId: project.id }), requestId: '' },
      as(owner),
    );
    clients.projects.close();
    clients.tasks.close();

    // The handler's server span; the rest of the chain is found from it.
    const spans = receiver.spans;
    const found = await eventually(
      async () =>
        spans.find(
          (span) =>
            span.service === 'work' &&
            span.kind === SERVER &&
            span.name.endsWith('nexus.work.v1.TaskService/CreateTask'),
        ),
      (span) => span !== undefined,
    );
    const server = found!;
    const trace = () => spans.filter((span) => span.traceId === server.traceId);
    const byId = (id: string) => trace().find((span) => span.spanId === id);
    const descendsFrom = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
      for (let at: ReceivedSpan | undefined = span; at; at = byId(at.parentSpanId)) {
        if (at.parentSpanId === ancestor.spanId) return true;
      }
      return false;
    };
    const outboxOf = () =>
      trace().find((span) => span.name === 'outbox write' && descendsFrom(span, server));
    const publishOf = () =>
      trace().find(
        (span) =>
          span.name === 'publish nexus.work.task' && span.attributes['messaging.message.id'],
      );
    // The apply of this task's event: analytics' consumer span under the publish.
    const applied = await eventually(
      async () => {
        const outbox = outboxOf();
        const publish = publishOf();
        const consume = trace().find(
          (span) =>
            span.name === 'process nexus.work.task' && span.parentSpanId === publish?.spanId,
        );
        const consumerSql = consume && trace().filter((s) => isSql(s) && descendsFrom(s, consume));
        return { outbox, publish, consume, consumerSql };
      },
      ({ consumerSql }) => (consumerSql?.length ?? 0) > 0,
      60_000,
    );
    const { outbox, publish, consume, consumerSql } = applied;

    // The handler's SQL: the task's insert and the outbox insert, children of the call.
    const handlerSql = trace().filter(
      (span) => span.service === 'work' && isSql(span) && descendsFrom(span, server),
    );
    expect(handlerSql.length).toBeGreaterThan(1);
    expect(handlerSql.some((span) => span.parentSpanId === outbox!.spanId)).toBe(true);
    expect(outbox).toMatchObject({ service: 'work', traceId: server.traceId });

    // The relay's publish is the outbox write's child, whenever it ran.
    expect(publish).toMatchObject({
      service: 'work',
      kind: PRODUCER,
      parentSpanId: outbox!.spanId,
    });
    expect(publish!.attributes['cloudevents.event_type']).toBe('nexus.work.task.created');
    // analytics applied it inside a consumer span under the publish, its SQL under that.
    expect(consume).toMatchObject({ service: 'analytics', kind: CONSUMER });
    expect(consumerSql!.every((span) => span.service === 'analytics')).toBe(true);
  }, 120_000);
});
