import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  Metadata,
  credentials,
  status,
  type ChannelCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import type { GrpcClientTls } from '@nexus/config';

interface UnaryMethod<Req, Res> {
  path: string;
  requestStream: false;
  responseStream: false;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (value: Buffer) => Res;
}

type UnaryKeys<D> = {
  [K in keyof D]: D[K] extends { requestStream: false; responseStream: false } ? K : never;
}[keyof D];

/** Every unary method of a generated service definition, as an async function. */
export type PromiseClient<D> = {
  [K in UnaryKeys<D>]: D[K] extends UnaryMethod<infer Req, infer Res>
    ? (request: Req, options?: CallOptions) => Promise<Res>
    : never;
} & { close(): void };

export interface ClientOptions {
  /** host:port */
  address: string;
  /** The bearer token sent with every call, unless a call names its own. */
  token?: string;
  /** Deadline of a call that has none of its own. */
  defaultDeadlineMs?: number;
  /** Attempts after the first when the server is UNAVAILABLE. */
  retries?: number;
  /** TLS to the server (GRPC_TLS_CA and, for mTLS, the client certificate); unset: plaintext. */
  tls?: GrpcClientTls;
  /** Credentials of one's own; they take precedence over `tls`. */
  credentials?: ChannelCredentials;
}

/**
 * The channel credentials of `tls`. The server's certificate must name the
 * host of the address the client dials (`users` in `users:50051`).
 */
export function channelCredentials(tls: GrpcClientTls | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(
    Buffer.from(tls.ca),
    tls.key ? Buffer.from(tls.key) : null,
    tls.cert ? Buffer.from(tls.cert) : null,
  );
}

export interface CallOptions {
  /** The caller's own deadline: an outbound call never outlives it. */
  deadline?: Date;
  token?: string;
  /** Correlation id passed on as x-request-id. */
  requestId?: string;
}

/**
 * A typed async client for a ts-proto service definition: bearer token,
 * default deadline, the caller's deadline passed on, and retries of
 * UNAVAILABLE with exponential backoff and jitter while time remains.
 */
export function createPromiseClient<D extends object>(
  definition: D,
  options: ClientOptions,
): PromiseClient<D> {
  const client = new Client(
    options.address,
    options.credentials ?? channelCredentials(options.tls),
  );
  const methods: Record<string, unknown> = { close: () => client.close() };
  for (const [name, method] of Object.entries(definition) as [
    string,
    UnaryMethod<unknown, unknown>,
  ][]) {
    if (method.requestStream || method.responseStream) continue;
    methods[name] = (request: unknown, callOptions: CallOptions = {}) =>
      callWithRetry(client, method, request, options, callOptions);
  }
  return methods as PromiseClient<D>;
}

async function callWithRetry<Req, Res>(
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: ClientOptions,
  callOptions: CallOptions,
): Promise<Res> {
  const ownDeadline = Date.now() + (options.defaultDeadlineMs ?? 10_000);
  const deadline = Math.min(ownDeadline, callOptions.deadline?.getTime() ?? Infinity);
  const metadata = new Metadata();
  const token = callOptions.token ?? options.token;
  if (token) metadata.set('authorization', `Bearer ${token}`);
  if (callOptions.requestId) metadata.set('x-request-id', callOptions.requestId);

  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<Res>((resolve, reject) => {
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          { deadline },
          (error, response) => (error ? reject(error) : resolve(response as Res)),
        );
      });
    } catch (error) {
      const backoff = Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
      const retryable = (error as ServiceError).code === status.UNAVAILABLE && attempt < retries;
      if (!retryable || Date.now() + backoff >= deadline) throw error;
      await sleep(backoff);
    }
  }
}
