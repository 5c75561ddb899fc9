import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  type Client,
  type ClientDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  create,
  createFileRegistry,
  fromBinary,
  toBinary,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { createLogger } from '@nexus/ops';
import { usersV1 } from '@nexus/proto';
import { startGrpcServer, type GrpcServer } from './grpc-server';

// A real server on a free port with one platform service; reflection and
// health are what startGrpcServer adds to every server.
let server: GrpcServer;
let reflection: ReflectionClient;

beforeAll(async () => {
  server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [
      {
        name: 'nexus.users.v1.UserService',
        definition: usersV1.UserServiceService,
        implementation: {},
      },
    ],
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  reflection = new ReflectionClient(`127.0.0.1:${server.port}`);
});

afterAll(async () => {
  reflection?.close();
  await server?.shutdown(1_000);
});

/** A server reflection (v1) client built from the reflection proto alone. */
class ReflectionClient {
  private readonly client: Client & {
    ServerReflectionInfo(): ClientDuplexStream<object, ReflectionResponse>;
  };

  constructor(address: string) {
    const proto = path.join(
      path.dirname(require.resolve('@grpc/reflection/package.json')),
      'build/proto/grpc/reflection/v1/reflection.proto',
    );
    const grpc = loadPackageDefinition(loadSync(proto, { keepCase: true })) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (...args: unknown[]) => unknown } } };
    };
    const Constructor = grpc.grpc.reflection.v1.ServerReflection;
    this.client = new Constructor(address, credentials.createInsecure()) as typeof this.client;
  }

  /** One request on its own stream, and its one answer. */
  ask(request: object): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const call = this.client.ServerReflectionInfo();
      call.on('data', (response: ReflectionResponse) => {
        resolve(response);
        call.end();
      });
      call.on('error', reject);
      call.write(request);
    });
  }

  async listServices(): Promise<string[]> {
    const response = await this.ask({ list_services: '' });
    return (response.list_services_response?.service ?? []).map((service) => service.name);
  }

  /**
   * The file declaring `symbol` and every file it imports, as a registry a
   * client can build calls from: what grpcurl and buf curl do, asking for
   * imports by file name when the first answer does not include them.
   */
  async registryOf(symbol: string): Promise<FileRegistry> {
    const files = new Map<string, FileDescriptorProto>();
    let declaring: FileDescriptorProto | undefined;
    let request: object = { file_containing_symbol: symbol };
    for (;;) {
      const response = await this.ask(request);
      if (response.error_response) throw new Error(response.error_response.error_message);
      for (const bytes of response.file_descriptor_response?.file_descriptor_proto ?? []) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        declaring ??= file; // the answer's first file declares the symbol
        files.set(file.name, file);
      }
      const missing = [...files.values()]
        .flatMap((file) => file.dependency)
        .find((name) => !files.has(name));
      if (missing === undefined) break;
      request = { file_by_filename: missing };
    }
    if (!declaring) throw new Error(`no file declares ${symbol}`);
    return createFileRegistry(declaring, (name) => files.get(name));
  }

  close(): void {
    this.client.close();
  }
}

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

describe('server reflection', () => {
  it('lists the platform service, health and reflection itself', async () => {
    expect((await reflection.listServices()).sort()).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'nexus.users.v1.UserService',
    ]);
  });

  it('resolves the file descriptors of every listed service, imports included', async () => {
    for (const name of await reflection.listServices()) {
      const registry = await reflection.registryOf(name);
      expect(registry.getService(name)?.methods.length).toBeGreaterThan(0);
    }
  });

  it('describes health well enough to call Check from reflection alone', async () => {
    const registry = await reflection.registryOf('grpc.health.v1.Health');
    const check = registry.getService('grpc.health.v1.Health')?.method.check;
    if (!check) throw new Error('reflection did not describe grpc.health.v1.Health/Check');
    const Health = makeGenericClientConstructor(
      {
        Check: {
          path: '/grpc.health.v1.Health/Check',
          requestStream: false,
          responseStream: false,
          requestSerialize: (value: Record<string, unknown>) =>
            Buffer.from(toBinary(check.input, create(check.input, value))),
          requestDeserialize: (bytes: Buffer) => fromBinary(check.input, bytes),
          responseSerialize: () => Buffer.alloc(0),
          responseDeserialize: (bytes: Buffer) => fromBinary(check.output, bytes),
        },
      },
      'Health',
    );
    const health = new Health(
      `127.0.0.1:${server.port}`,
      credentials.createInsecure(),
    ) as unknown as Client & {
      Check(
        request: object,
        callback: (error: ServiceError | null, response: { status: number }) => void,
      ): void;
    };
    const answer = (service: string) =>
      new Promise<{ status: number }>((resolve, reject) =>
        health.Check({ service }, (error, response) => (error ? reject(error) : resolve(response))),
      );
    const status = check.output.fields.find((field) => field.name === 'status');
    const serving = status?.enum?.values.find((value) => value.name === 'SERVING');
    expect(serving).toBeDefined();
    expect((await answer('')).status).toBe(serving?.number);
    expect((await answer('nexus.users.v1.UserService')).status).toBe(serving?.number);
    health.close();
  });
});

describe('reflection-based tools', () => {
  // buf curl builds descriptors with Go's protodesc, stricter than protobuf-es
  // (it refuses protobufjs' map entry names, for one).
  const buf = path.join(path.dirname(require.resolve('@bufbuild/buf/package.json')), 'bin/buf');
  const curl = async (...args: string[]) =>
    (
      await promisify(execFile)(buf, [
        'curl',
        '--protocol',
        'grpc',
        '--http2-prior-knowledge',
        ...args,
      ])
    ).stdout;

  it('buf curl lists the methods of health and reflection and calls a health check', async () => {
    const methods = (await curl('--list-methods', `http://127.0.0.1:${server.port}`)).split('\n');
    expect(methods).toEqual(
      expect.arrayContaining([
        'grpc.health.v1.Health/Check',
        'grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        'nexus.users.v1.UserService/GetUser',
      ]),
    );
    const answer = await curl(
      '-d',
      '{"service":"nexus.users.v1.UserService"}',
      `http://127.0.0.1:${server.port}/grpc.health.v1.Health/Check`,
    );
    expect(JSON.parse(answer)).toEqual({ status: 'SERVING' });
  });
});
