import { createServer } from 'node:net';
import { baseEnvSchema, parseEnv } from '@nexus/config';
import { kitTablesMigrations, migrate } from '@nexus/db';
import { startService, type RunningService } from './service-runtime';

const schema = `runtime_${Date.now()}`;

const kitTables = kitTablesMigrations(schema, 'KitTables', 1795678000000);

const spec = {
  name: 'runtime-test',
  schema,
  entities: [],
  migrations: kitTables,
  aggregates: [],
  bind: () => [],
};

const config = (migrateOnStart: boolean) => ({
  env: parseEnv(baseEnvSchema, process.env),
  host: '127.0.0.1',
  grpcPort: 0,
  httpPort: 0,
  migrateOnStart,
});

async function readiness(service: RunningService) {
  const response = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: { name: string; ok: boolean; detail?: string }[] },
  };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startService', () => {
  it('reports not ready while migrations are pending, naming them, and ready once applied', async () => {
    const service = await startService(spec, config(false));
    try {
      const pending = await readiness(service);
      expect(pending.status).toBe(503);
      expect(pending.body.checks.find((check) => check.name === 'migrations')).toMatchObject({
        ok: false,
        detail:
          'pending: KitTables1795678000000, KitTables1795678000001, KitTables1795678000002, KitTables1795678000003',
      });
      await migrate(service.runtime.dataSource);
      expect((await readiness(service)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('releases its ports when stopped', async () => {
    const service = await startService(spec, config(true));
    await service.stop();
    expect(await portIsFree(service.grpcPort)).toBe(true);
    expect(await portIsFree(service.httpPort)).toBe(true);
  });

  it('runs without a gRPC server when the spec opts out, serving its own HTTP routes', async () => {
    const service = await startService(
      {
        ...spec,
        grpc: false,
        routes: (app, runtime) =>
          app.get('/api/name', (_req, res) => void res.json({ logger: typeof runtime.logger })),
      },
      { ...config(true), grpcPort: 1 }, // would fail to bind if it were used
    );
    try {
      expect(service.grpcPort).toBe(0);
      const response = await fetch(`http://127.0.0.1:${service.httpPort}/api/name`);
      expect(await response.json()).toEqual({ logger: 'object' });
      expect((await readiness(service)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
