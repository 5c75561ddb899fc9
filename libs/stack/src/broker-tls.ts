import { readFile, writeFile } from 'node:fs/promises';
import type { KafkaConfig } from 'kafkajs';

/**
 * A local broker that listens with TLS and SASL/SCRAM-SHA-512 (listener
 * SASL_SSL), for tests of the platform's Kafka security settings and for
 * trying them locally. The default stack stays plaintext.
 */
export interface KafkaTlsOptions {
  /** PEM files: the broker's certificate (naming 127.0.0.1) and its unencrypted PKCS#8 key. */
  cert: string;
  key: string;
  /** PEM file of the CA that signed `cert` (the broker trusts it for its own inter-broker link). */
  ca: string;
  /** SCRAM-SHA-512 users, created when the log dir is formatted; the first is the broker's own. */
  scramUsers: { username: string; password: string }[];
}

// They go into `--add-scram 'SCRAM-SHA-512=[name=...,password=...]'` and a JAAS line.
const SAFE_CREDENTIAL = /^[A-Za-z0-9_.@+-]+$/;

function brokerUser(tls: KafkaTlsOptions): { username: string; password: string } {
  const [first] = tls.scramUsers;
  if (!first) throw new Error('a TLS broker needs at least one SCRAM user');
  for (const user of tls.scramUsers) {
    if (!SAFE_CREDENTIAL.test(user.username) || !SAFE_CREDENTIAL.test(user.password))
      throw new Error('SCRAM user names and passwords of the local broker: [A-Za-z0-9_.@+-] only');
  }
  return first;
}

/** server.properties entries of the SASL_SSL listener, with PEM key and trust stores. */
export function brokerTlsSettings(
  tls: KafkaTlsOptions,
  keystoreFile: string,
): Record<string, string> {
  const self = brokerUser(tls);
  return {
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
      'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
      `username="${self.username}" password="${self.password}";`,
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keystoreFile,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': tls.ca,
    'ssl.client.auth': 'none',
  };
}

/** Kafka's PEM key store is one file: the private key, then the certificate chain. */
export async function writeKeystore(tls: KafkaTlsOptions, keystoreFile: string): Promise<void> {
  const [key, cert] = await Promise.all([readFile(tls.key, 'utf8'), readFile(tls.cert, 'utf8')]);
  await writeFile(keystoreFile, `${key.trim()}\n${cert.trim()}\n`, { mode: 0o600 });
}

/** What the readiness probe needs to reach a TLS broker: the CA and the broker's own user. */
export async function probeSecurity(
  tls: KafkaTlsOptions,
): Promise<Pick<KafkaConfig, 'ssl' | 'sasl'>> {
  const { username, password } = brokerUser(tls);
  return {
    ssl: { ca: [await readFile(tls.ca, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username, password },
  };
}
