import { Writable } from 'node:stream';
import { createLogger } from './logger';
import {
  SpanKind,
  activeTraceparent,
  formatTraceparent,
  inSpan,
  parseTraceparent,
  startSpan,
  startTracing,
  stopTracing,
  tracingEnabled,
} from './tracing';

const STORED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Log lines written by `work`, parsed. */
async function logged(work: (log: ReturnType<typeof createLogger>) => Promise<void>) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  await work(createLogger({ service: 'ops-test', level: 'info' }, sink));
  return lines;
}

describe('traceparent', () => {
  it('reads and writes the W3C form', () => {
    const span = parseTraceparent(STORED);
    expect(span).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(formatTraceparent(span!)).toBe(STORED);
  });

  it.each([
    ['an unknown version', STORED.replace(/^00/, 'ff')],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['upper-case hex', STORED.toUpperCase()],
    ['a truncated value', STORED.slice(0, -3)],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });
});

describe('with tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('starts nothing and every helper only runs the work', async () => {
    startTracing('ops-test', {});
    expect(tracingEnabled()).toBe(false);
    expect(startSpan('anything', { parent: STORED })).toBeNull();
    const seen = await inSpan('anything', { parent: STORED }, async () => activeTraceparent());
    expect(seen).toBeNull();
  });

  it('logs no trace fields', async () => {
    const [line] = await logged(async (log) => log.info('hello'));
    expect(line).not.toHaveProperty('trace_id');
    expect(line).not.toHaveProperty('span_id');
  });
});

describe('with tracing on', () => {
  beforeAll(() => {
    // Nothing listens there: spans are dropped at export, which this test does not need.
    startTracing('ops-test', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    await stopTracing().catch(() => undefined);
  });

  it('continues a stored trace as the parent and exposes the active span', async () => {
    expect(tracingEnabled()).toBe(true);
    const span = startSpan('publish', { kind: SpanKind.PRODUCER, parent: STORED })!;
    const active = await span.run(async () => activeTraceparent());
    span.end();
    expect(active).toBe(span.traceparent);
    expect(span.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(span.traceparent).not.toBe(STORED);
  });

  it('starts a new trace from an unreadable parent, and none is active outside a span', async () => {
    const span = startSpan('process', { parent: 'garbage' })!;
    expect(span.traceparent).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    span.end();
    expect(activeTraceparent()).toBeNull();
  });

  it('puts trace_id and span_id of the active span on log lines', async () => {
    let inner = '';
    const lines = await logged(async (log) => {
      log.info('outside');
      await inSpan('work', { parent: STORED }, async () => {
        inner = activeTraceparent()!;
        log.info('inside');
      });
    });
    const [, traceId, spanId] = inner.split('-');
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: traceId, span_id: spanId });
  });

  it('records a failed span and rethrows the error', async () => {
    await expect(
      inSpan('fails', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
