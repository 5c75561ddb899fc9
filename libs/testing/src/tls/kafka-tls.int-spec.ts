import { join } from 'node:path';
import { baseEnvSchema, kafkaSecurity, parseEnv } from '@nexus/config';
import { createKafka, ensureTopics, type Kafka } from '@nexus/events';
import { kitTablesMigrations } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import { startService } from '@nexus/runtime';
import { freePorts, startKafka, type RunningKafka } from '@nexus/stack';
import { makeTestCertificates, type TestCertificates } from '../test-certificates';

// Kafka over TLS with SASL/SCRAM-SHA-512, configured the way a service is
// (KAFKA_SSL, KAFKA_SSL_CA, KAFKA_SASL_*), against a real broker listening on
// SASL_SSL only (libs/stack's `tls` option). One broker for the whole file:
// starting it takes about ten seconds.

const USER = { username: 'nexus-service', password: 'scram-test-password-1' };
let certs: TestCertificates;
let broker: RunningKafka;
const logger = createLogger({ service: 'kafka-tls-test', level: 'silent' });

beforeAll(async () => {
  certs = await makeTestCertificates({ hosts: ['127.0.0.1'] });
  const [port, controllerPort] = await freePorts(2);
  broker = await startKafka({
    dataDir: join(certs.dir, 'kafka'),
    port,
    controllerPort,
    ephemeral: true,
    tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, scramUsers: [USER] },
  });
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  await certs?.remove();
});

/** A kafkajs client from environment variables, as startService builds a service's. */
function kafkaFromEnv(env: Record<string, string>): Kafka {
  const parsed = parseEnv(baseEnvSchema, { ...process.env, KAFKA_BROKERS: broker.brokers, ...env });
  return createKafka({
    brokers: parsed.KAFKA_BROKERS,
    clientId: 'kafka-tls-test',
    logger,
    security: kafkaSecurity(parsed),
  });
}

const tlsEnv = (password = USER.password) => ({
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA: certs.ca,
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: USER.username,
  KAFKA_SASL_PASSWORD: password,
});

async function connectError(kafka: Kafka): Promise<string> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.listTopics();
    return 'connected';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

describe('Kafka with KAFKA_SSL and SCRAM-SHA-512', () => {
  it('produces an event and consumes it back', async () => {
    const kafka = kafkaFromEnv(tlsEnv());
    const topic = `nexus.tls.test-${Date.now()}`;
    await ensureTopics(kafka, [topic], 1);
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `tls-test-${Date.now()}` });
    try {
      await producer.connect();
      await producer.send({
        topic,
        messages: [{ key: 'aggregate-1', value: '{"after":{"id":"aggregate-1"}}' }],
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = await new Promise<{ key: string; value: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ key: String(message.key), value: String(message.value) }),
        });
      });
      expect(received).toEqual({ key: 'aggregate-1', value: '{"after":{"id":"aggregate-1"}}' });
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  }, 60_000);

  it('refuses a wrong password as an authentication failure', async () => {
    expect(await connectError(kafkaFromEnv(tlsEnv('not-the-password')))).toMatch(
      /SASL SCRAM SHA512 authentication failed/i,
    );
  }, 30_000);

  it('is not reached without TLS', async () => {
    const { KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD } = tlsEnv();
    const plaintext = kafkaFromEnv({
      KAFKA_SASL_MECHANISM,
      KAFKA_SASL_USERNAME,
      KAFKA_SASL_PASSWORD,
    });
    expect(await connectError(plaintext)).not.toBe('connected');
  }, 30_000);

  it('refuses a broker whose certificate another CA signed', async () => {
    expect(await connectError(kafkaFromEnv({ ...tlsEnv(), KAFKA_SSL_CA: certs.otherCa }))).toMatch(
      /self[- ]signed|unable to (get|verify)/i,
    );
  }, 30_000);
});

describe('a service started with the Kafka security variables', () => {
  const schema = `tls_kafka_${Date.now()}`;
  const kitTables = kitTablesMigrations(schema, 'KitTables', 1796300000003);

  it('reaches the broker: its readiness reports it', async () => {
    const service = await startService(
      {
        name: 'kafka-tls-test',
        schema,
        entities: [],
        migrations: kitTables,
        aggregates: [],
        bind: () => [],
      },
      {
        env: parseEnv(baseEnvSchema, {
          ...process.env,
          KAFKA_BROKERS: broker.brokers,
          ...tlsEnv(),
        }),
        host: '127.0.0.1',
        grpcPort: 0,
        httpPort: 0,
        migrateOnStart: true,
      },
    );
    try {
      const response = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
      const body = (await response.json()) as { checks: { name: string; ok: boolean }[] };
      expect(body.checks.find((check) => check.name === 'kafka')).toMatchObject({
        ok: true,
        detail: '1 broker(s)',
      });
    } finally {
      await service.stop();
    }
  }, 60_000);
});

describe('the Kafka security variables', () => {
  const parse = (env: Record<string, string>) => () =>
    parseEnv(baseEnvSchema, { ...process.env, ...env });

  it('stop the start naming the variable for combinations that cannot work', () => {
    expect(parse({ KAFKA_SSL_CA: certs.ca })).toThrow(
      /KAFKA_SSL_CA: is used only with KAFKA_SSL=true/,
    );
    expect(parse({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'a' })).toThrow(
      /KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM/,
    );
    expect(parse({ KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' })).toThrow(
      /KAFKA_SASL_MECHANISM: required with/,
    );
    expect(
      parse({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }),
    ).toThrow(/KAFKA_SASL_MECHANISM: plain sends the password in clear text/);
    expect(parse({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('never quote the password in a message', () => {
    const withPassword = parse({ KAFKA_SASL_PASSWORD: 'hunter2-secret' });
    expect(withPassword).toThrow(/KAFKA_SASL_MECHANISM: required with/);
    expect(withPassword).not.toThrow(/hunter2-secret/);
  });
});
