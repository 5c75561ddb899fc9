import { readFileSync } from 'node:fs';
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { GrpcServerTls } from '@nexus/config';
import { descriptorSetPath } from '@nexus/proto';
import { tolerantDefinition } from './request-guard';
import { STANDARD_SERVICES, standardServiceFiles } from './standard-services';

export interface ServiceBinding {
  /** Fully-qualified proto name, e.g. `nexus.users.v1.UserService`. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServer {
  port: number;
  /** Stops taking calls: NOT_SERVING, then drain, then force after `graceMs`. */
  shutdown(graceMs?: number): Promise<void>;
}

const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * The platform's grpc-js server settings. Channelz is off: no channelz
 * service is served, and its per-call bookkeeping (counters, timestamps,
 * trackers) is work on every call that nobody reads.
 */
const GRPC_SERVER_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_permit_without_calls': 1,
  // Pings idle connections, so a Watch whose client vanished ends within a minute.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.enable_channelz': 0,
} as const;

/**
 * Every file of the descriptor set, in the shape the reflection service
 * indexes, plus the files of the standard services (health, reflection), so
 * a reflection client can call those too. proto-loader's own loader keeps
 * only some files per type, which leaves imports (field_mask.proto, ...)
 * unresolvable for grpcurl and buf curl: the set is read file by file.
 */
function reflectionIndex(): PackageDefinition {
  const reader = new BinaryReader(readFileSync(descriptorSetPath));
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1)
      files.push(reader.bytes()); // FileDescriptorSet.file
    else reader.skip(wireType);
  }
  return {
    'nexus.descriptor-set': { fileDescriptorProtos: [...files, ...standardServiceFiles()] },
  } as unknown as PackageDefinition;
}

/**
 * The server's credentials: plaintext without `tls`; with it TLS, and with
 * its `clientCa` mutual TLS, where a caller without a certificate that CA
 * signed is refused during the handshake, before any RPC runs.
 */
function serverCredentials(tls: GrpcServerTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ? Buffer.from(tls.clientCa) : null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    Boolean(tls.clientCa),
  );
}

/**
 * A gRPC server with the platform's standard services: grpc.health.v1.Health
 * (per service and overall) and server reflection listing what it serves,
 * health and reflection included, so grpcurl, `buf curl` and grpc_cli work
 * against it without proto files.
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  services: ServiceBinding[];
  logger: Logger;
  /** Undefined: plaintext. */
  tls?: GrpcServerTls;
}): Promise<GrpcServer> {
  const server = new Server(GRPC_SERVER_OPTIONS);
  for (const service of options.services)
    server.addService(tolerantDefinition(service.definition), service.implementation);

  const names = options.services.map((service) => service.name);
  const health = new HealthImplementation(
    Object.fromEntries(['', ...names].map((name) => [name, 'SERVING'])),
  );
  health.addToServer(server);
  new ReflectionService(reflectionIndex(), {
    services: [...names, ...STANDARD_SERVICES],
  }).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${options.host}:${options.port}`,
      serverCredentials(options.tls),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });

  return {
    port,
    shutdown: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        for (const name of ['', ...names]) health.setStatus(name, 'NOT_SERVING');
        const force = setTimeout(() => {
          options.logger.warn('calls still running after the grace period; forcing shutdown');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
