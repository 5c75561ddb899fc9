import { Registry } from 'prom-client';
import { startOpsServer, type OpsServer, type ReadinessCheck } from './ops-server';

describe('startOpsServer', () => {
  let server: OpsServer | undefined;
  afterEach(async () => server?.close());

  const start = async (checks: ReadinessCheck[]) => {
    server = await startOpsServer({ host: '127.0.0.1', port: 0, registry: new Registry(), checks });
    return (route: string) => fetch(`http://127.0.0.1:${server!.port}${route}`);
  };

  it('is healthy while up, whatever its dependencies say', async () => {
    const get = await start([{ name: 'database', check: async () => ({ ok: false }) }]);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('is unready when a critical check fails or throws, naming why', async () => {
    const get = await start([
      { name: 'database', check: async () => Promise.reject(new Error('connection refused')) },
      { name: 'migrations', check: async () => ({ ok: true }) },
    ]);
    const response = await get('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'not ready',
      checks: [
        { name: 'database', ok: false, detail: 'connection refused' },
        { name: 'migrations', ok: true },
      ],
    });
  });

  it('stays ready when only a non-critical check fails', async () => {
    const get = await start([
      { name: 'database', check: async () => ({ ok: true }) },
      { name: 'kafka', critical: false, check: async () => ({ ok: false, detail: 'broker down' }) },
    ]);
    expect((await get('/readyz')).status).toBe(200);
  });

  it('serves Prometheus text on /metrics', async () => {
    const get = await start([]);
    const response = await get('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
  });

  it('serves the routes a service adds, beside the ops routes', async () => {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      checks: [],
      routes: (app) => app.get('/api/hello', (_req, res) => void res.json({ hello: 'world' })),
    });
    const get = (route: string) => fetch(`http://127.0.0.1:${server!.port}${route}`);
    expect(await (await get('/api/hello')).json()).toEqual({ hello: 'world' });
    expect((await get('/healthz')).status).toBe(200);
  });
});
