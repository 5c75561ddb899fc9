import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import type { startSdk } from './tracing-sdk';

export { SpanKind } from '@opentelemetry/api';

const TRACER = 'nexus';

let sdk: ReturnType<typeof startSdk> | null = null;

/**
 * Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT (or its
 * traces-only form) is set, and does nothing at all otherwise: the SDK is
 * not even loaded, and every helper below returns at its first test. Must
 * run before @grpc/grpc-js and pg are first required (each app's tracing.ts,
 * imported first by its main.ts): the instrumentations patch them on load.
 *
 * It reads the environment itself, before any config.ts can run, and only
 * the two standard variables that say whether to start; OTEL_SERVICE_NAME
 * (default: `serviceName`) and the rest are the SDK's.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk) return;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true') return;
  // Loaded here, not imported: with tracing off the SDK costs no start-up time or memory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk: start } = require('./tracing-sdk') as { startSdk: typeof startSdk };
  sdk = start(env.OTEL_SERVICE_NAME ? undefined : serviceName);
}

/** Whether this process traces: false unless startTracing started the SDK. */
export function tracingEnabled(): boolean {
  return sdk !== null;
}

/** Exports the spans still buffered and stops the SDK (at service stop). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = null;
  await running?.shutdown();
}

/** The W3C `traceparent` of a span context. */
export function formatTraceparent(span: SpanContext): string {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context of a W3C `traceparent` (version 00), or null if it is not one. */
export function parseTraceparent(value: string | null | undefined): SpanContext | null {
  const match = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!match) return null;
  const span: SpanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? span : null;
}

/** The `traceparent` of the active span, or null when tracing is off or no span is active. */
export function activeTraceparent(): string | null {
  if (!sdk) return null;
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? formatTraceparent(span) : null;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Record<string, string | number | boolean>;
  /**
   * The parent: a stored or received `traceparent` (null or unreadable: a new
   * trace); absent, the active span.
   */
  parent?: string | null;
  /** Other traces this span continues (the events of a consumer's batch). */
  links?: readonly (string | null)[];
}

/** A started span: its `traceparent`, and end() once its work is done. */
export interface OpenSpan {
  readonly traceparent: string;
  /** Runs `work` with this span active (its children and log lines attach to it). */
  run<T>(work: () => Promise<T>): Promise<T>;
  end(error?: unknown): void;
}

/** Starts a span, or returns null when tracing is off (the caller does nothing more). */
export function startSpan(name: string, options: SpanOptions = {}): OpenSpan | null {
  if (!sdk) return null;
  const parent = parentContext(options.parent);
  const links: Link[] = [];
  for (const link of options.links ?? []) {
    const linked = parseTraceparent(link);
    if (linked) links.push({ context: linked });
  }
  const span = trace
    .getTracer(TRACER)
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links },
      parent,
    );
  const active = trace.setSpan(parent, span);
  return {
    traceparent: formatTraceparent(span.spanContext()),
    run: (work) => context.with(active, work),
    end: (error) => endSpan(span, error),
  };
}

/**
 * Runs `work` inside a new span, active for it, that ends with it (and
 * records its error). With tracing off it only runs `work`.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: () => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  if (!span) return work();
  try {
    const result = await span.run(work);
    span.end();
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  }
}

function endSpan(span: Span, error: unknown): void {
  if (error !== undefined) {
    // The class only: a driver's message can quote parameters (as in log lines).
    span.recordException({ name: error instanceof Error ? error.name : typeof error });
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function parentContext(parent: string | null | undefined): Context {
  if (parent === undefined) return context.active();
  const remote = parseTraceparent(parent);
  return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
}

/** `trace_id` and `span_id` of the active span, for log lines (empty when there is none). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  if (!sdk) return {};
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}
