import path from 'node:path';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startUsers, type UsersHarness } from './testing/users-harness';

let users: UsersHarness;

beforeAll(async () => {
  users = await startUsers();
});

afterAll(async () => {
  await users.stop();
});

const http = (route: string) => fetch(`http://127.0.0.1:${users.service.httpPort}${route}`);

/**
 * A client built from a proto file at run time: its methods are untyped, so
 * each test says what it passes and expects.
 */
type DynamicClient = Client & Record<string, (...args: unknown[]) => unknown>;

/** A generic client for a service described by a proto file from a package. */
function clientFor(protoFile: string, service: string): DynamicClient {
  const definition = loadPackageDefinition(loadSync(protoFile, { keepCase: true, enums: String }));
  const Constructor = service
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], definition) as new (
    address: string,
    creds: ReturnType<typeof credentials.createInsecure>,
  ) => DynamicClient;
  return new Constructor(`127.0.0.1:${users.service.grpcPort}`, credentials.createInsecure());
}

describe('operations surface', () => {
  it('answers /healthz and /readyz with every dependency checked', async () => {
    expect((await http('/healthz')).status).toBe(200);
    const ready = await http('/readyz');
    const body = (await ready.json()) as {
      status: string;
      checks: { name: string; ok: boolean }[];
    };
    expect(ready.status).toBe(200);
    expect(body.checks.map((check) => [check.name, check.ok])).toEqual([
      ['database', true],
      ['migrations', true],
      ['kafka', true],
      ['outbox-relay', true],
    ]);
  });

  it('exports Prometheus metrics for calls', async () => {
    await users.client.getJwks({});
    const text = await (await http('/metrics')).text();
    expect(text).toMatch(
      /rpc_server_call_duration_seconds_count\{[^}]*rpc_system_name="grpc",rpc_method="nexus\.users\.v1\.UserService\/GetJwks",rpc_response_status_code="OK"[^}]*\} [1-9]/,
    );
    // The kit wires the outbox gauges of every service (docs/operations.md).
    expect(text).toMatch(/nexus_outbox_pending_events\{schema="users",service="users"\} \d+/);
    expect(text).toMatch(/nexus_outbox_relay_leader\{schema="users",service="users"\} [01]/);
  });

  it('serves grpc.health.v1 for the service', async () => {
    const healthProto = path.join(
      path.dirname(require.resolve('grpc-health-check/package.json')),
      'proto/health/v1/health.proto',
    );
    const health = clientFor(healthProto, 'grpc.health.v1.Health');
    const response = await new Promise<{ status: string }>((resolve, reject) =>
      health.Check(
        { service: 'nexus.users.v1.UserService' },
        (error: ServiceError | null, value: { status: string }) =>
          error ? reject(error) : resolve(value),
      ),
    );
    health.close();
    expect(response.status).toBe('SERVING');
  });

  it('lists UserService through server reflection', async () => {
    const reflectionProto = path.join(
      path.dirname(require.resolve('@grpc/reflection/package.json')),
      'build/proto/grpc/reflection/v1/reflection.proto',
    );
    const reflection = clientFor(reflectionProto, 'grpc.reflection.v1.ServerReflection');
    const names = await new Promise<string[]>((resolve, reject) => {
      const call = reflection.ServerReflectionInfo() as NodeJS.EventEmitter & {
        write(m: unknown): void;
        end(): void;
      };
      call.on('data', (message: { list_services_response: { service: { name: string }[] } }) => {
        resolve(message.list_services_response.service.map((service) => service.name));
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
    reflection.close();
    expect(names).toContain('nexus.users.v1.UserService');
  });
});
