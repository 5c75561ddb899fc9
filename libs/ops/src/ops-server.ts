import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';

/** One readiness condition; `detail` says what is wrong when not ok. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<{ ok: boolean; detail?: string }>;
  /**
   * A failing non-critical check is reported but keeps the service ready:
   * the broker, say, whose outage the outbox absorbs.
   */
  critical?: boolean;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The operational HTTP surface of a service: /healthz (the process is up),
 * /readyz (every dependency reachable and migrations current; 503 with the
 * reasons otherwise) and /metrics (Prometheus text).
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  checks: ReadinessCheck[];
  /**
   * Adds a service's own HTTP routes (an HTTP API, a page) after the ops
   * routes, for services whose API is HTTP rather than gRPC.
   */
  routes?: (app: Express) => void;
}): Promise<OpsServer> {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      options.checks.map(async ({ name, check, critical = true }) => {
        try {
          return { name, critical, ...(await withTimeout(check(), 2_000)) };
        } catch (error) {
          return {
            name,
            critical,
            ok: false,
            detail: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    const ready = results.every((result) => result.ok || !result.critical);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });

  options.routes?.(app);

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, () => resolve(listening));
    listening.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
