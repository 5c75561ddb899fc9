import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Transport security settings (docs/security.md, "Transport security (TLS)").
 * Every certificate, key and CA variable names a PEM file, read once at
 * start-up: a Kubernetes secret mounted as a volume is a folder of such files.
 * A file that cannot be read or holds no PEM of the right kind stops the
 * process naming the variable; its content never appears in a message.
 */

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN (RSA |EC )?PRIVATE KEY-----/;

function pemFile(kind: 'certificate' | 'private key') {
  return z.string().transform((path, ctx) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${code})` });
      return z.NEVER;
    }
    if (!(kind === 'certificate' ? CERTIFICATE : PRIVATE_KEY).test(text)) {
      const hint = /ENCRYPTED PRIVATE KEY/.test(text) ? ' (encrypted keys are not supported)' : '';
      ctx.addIssue({ code: 'custom', message: `${path} holds no PEM ${kind}${hint}` });
      return z.NEVER;
    }
    return text;
  });
}

const certificateFile = pemFile('certificate');
const privateKeyFile = pemFile('private key');
// envBoolean's parsing; env-schemas.ts imports this file, so it is not imported from there.
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .default(false);

/** The TLS variables, part of every service's environment (baseEnvSchema). */
export const tlsEnvShape = {
  /** The gRPC server's certificate (chain) and key: the server speaks TLS when set. */
  GRPC_TLS_CERT: certificateFile.optional(),
  GRPC_TLS_KEY: privateKeyFile.optional(),
  /** CA(s) of the clients the server accepts: set, every caller must present a certificate (mTLS). */
  GRPC_TLS_CLIENT_CA: certificateFile.optional(),
  /** CA(s) this service trusts for the peers it calls: set, calls to peers use TLS. */
  GRPC_TLS_CA: certificateFile.optional(),
  /** The certificate and key this service presents to peers that require mTLS. */
  GRPC_TLS_CLIENT_CERT: certificateFile.optional(),
  GRPC_TLS_CLIENT_KEY: privateKeyFile.optional(),
  KAFKA_SSL: flag,
  /** CA(s) for the brokers' certificates; unset, the system's trusted roots. */
  KAFKA_SSL_CA: certificateFile.optional(),
  /** A client certificate for brokers that require one (ssl.client.auth=required). */
  KAFKA_SSL_CERT: certificateFile.optional(),
  KAFKA_SSL_KEY: privateKeyFile.optional(),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
};

/** The TLS variables alone, for tools that are not services (the nexus CLI). */
export const tlsEnvSchema = z.object(tlsEnvShape);

export type TlsEnv = z.output<typeof tlsEnvSchema>;

/**
 * The combinations that cannot work, each naming the variable to fix: half a
 * key pair, a key that does not belong to its certificate, mTLS without TLS,
 * Kafka TLS files without KAFKA_SSL, SASL without credentials.
 */
export function tlsEnvProblems(env: TlsEnv): { variable: keyof TlsEnv; message: string }[] {
  const problems: { variable: keyof TlsEnv; message: string }[] = [];
  const pair = (cert: keyof TlsEnv, key: keyof TlsEnv) => {
    const certPem = env[cert] as string | undefined;
    const keyPem = env[key] as string | undefined;
    if (certPem && !keyPem) problems.push({ variable: key, message: `required with ${cert}` });
    else if (keyPem && !certPem) problems.push({ variable: cert, message: `required with ${key}` });
    else if (certPem && keyPem && !keyMatches(certPem, keyPem))
      problems.push({ variable: key, message: `is not the private key of ${cert}` });
  };
  pair('GRPC_TLS_CERT', 'GRPC_TLS_KEY');
  pair('GRPC_TLS_CLIENT_CERT', 'GRPC_TLS_CLIENT_KEY');
  pair('KAFKA_SSL_CERT', 'KAFKA_SSL_KEY');
  if (env.GRPC_TLS_CLIENT_CA && !env.GRPC_TLS_CERT)
    problems.push({
      variable: 'GRPC_TLS_CLIENT_CA',
      message: 'mutual TLS needs the server to speak TLS: set GRPC_TLS_CERT and GRPC_TLS_KEY',
    });
  if (env.GRPC_TLS_CLIENT_CERT && !env.GRPC_TLS_CA)
    problems.push({
      variable: 'GRPC_TLS_CLIENT_CERT',
      message: 'a client certificate is sent over TLS only: set GRPC_TLS_CA',
    });
  for (const file of ['KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY'] as const) {
    if (env[file] && !env.KAFKA_SSL)
      problems.push({ variable: file, message: 'is used only with KAFKA_SSL=true' });
  }
  if (env.KAFKA_SASL_MECHANISM) {
    for (const credential of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[credential])
        problems.push({ variable: credential, message: 'required with KAFKA_SASL_MECHANISM' });
    }
    if (env.KAFKA_SASL_MECHANISM === 'plain' && !env.KAFKA_SSL)
      problems.push({
        variable: 'KAFKA_SASL_MECHANISM',
        message: 'plain sends the password in clear text: set KAFKA_SSL=true',
      });
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    problems.push({
      variable: 'KAFKA_SASL_MECHANISM',
      message: 'required with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    });
  }
  return problems;
}

function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The gRPC server's certificate and key, and the client CA when callers must present one. */
export interface GrpcServerTls {
  cert: string;
  key: string;
  /** Set: mutual TLS, a caller without a certificate signed by it is refused. */
  clientCa?: string;
}

/** How this service reaches its peers over TLS: whom it trusts, and its own identity for mTLS. */
export interface GrpcClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

type SaslMechanism = NonNullable<TlsEnv['KAFKA_SASL_MECHANISM']>;

/** Kafka's TLS and SASL settings, in the shape kafkajs takes them. */
export interface KafkaSecurity {
  /** `true`: TLS trusting the system's roots. */
  ssl?: true | { ca?: string; cert?: string; key?: string };
  sasl?: {
    [M in SaslMechanism]: { mechanism: M; username: string; password: string };
  }[SaslMechanism];
}

/** Undefined: the gRPC server speaks plaintext. */
export function grpcServerTls(env: TlsEnv): GrpcServerTls | undefined {
  if (!env.GRPC_TLS_CERT || !env.GRPC_TLS_KEY) return undefined;
  return { cert: env.GRPC_TLS_CERT, key: env.GRPC_TLS_KEY, clientCa: env.GRPC_TLS_CLIENT_CA };
}

/** Undefined: peers are called in plaintext. */
export function grpcClientTls(env: TlsEnv): GrpcClientTls | undefined {
  if (!env.GRPC_TLS_CA) return undefined;
  return { ca: env.GRPC_TLS_CA, cert: env.GRPC_TLS_CLIENT_CERT, key: env.GRPC_TLS_CLIENT_KEY };
}

export function kafkaSecurity(env: TlsEnv): KafkaSecurity {
  const files = Object.fromEntries(
    Object.entries({
      ca: env.KAFKA_SSL_CA,
      cert: env.KAFKA_SSL_CERT,
      key: env.KAFKA_SSL_KEY,
    }).filter(([, pem]) => pem !== undefined),
  );
  // `true`: kafkajs's TLS on the system's trusted roots.
  const ssl = env.KAFKA_SSL ? (Object.keys(files).length > 0 ? files : true) : undefined;
  const sasl =
    env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD
      ? {
          mechanism: env.KAFKA_SASL_MECHANISM,
          username: env.KAFKA_SASL_USERNAME,
          password: env.KAFKA_SASL_PASSWORD,
        }
      : undefined;
  return { ...(ssl && { ssl }), ...(sasl && { sasl }) };
}
