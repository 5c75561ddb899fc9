import pino from 'pino';
import { uuidv7 } from '@nexus/core';
import { createKafka, ensureTopics, toKafkaMessage, type Kafka } from '@nexus/events';
import { TokenRevocations } from '@nexus/grpc';
import { followTokenRevocations } from './token-revocation-feed';

const logger = pino({ level: 'silent' });

/** Publishes a users-service event as its relay would. */
async function publish(
  kafka: Kafka,
  topic: string,
  type: string,
  subject: string,
  changed: string[] = [],
) {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: [
        toKafkaMessage({
          id: '1',
          event_id: uuidv7(),
          topic,
          message_key: subject,
          type,
          source: '/nexus/users',
          time: new Date(),
          payload: { before: null, after: null, changed, actor: null },
        }),
      ],
    });
  } finally {
    await producer.disconnect();
  }
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

describe('followTokenRevocations', () => {
  const kafka = createKafka({
    brokers: process.env.KAFKA_BROKERS ?? '',
    clientId: 'revocation-feed-test',
    logger,
  });
  beforeAll(() => ensureTopics(kafka, ['nexus.users.user', 'nexus.users.session']));

  it('replays revocations published before it started, then follows live ones within a second', async () => {
    const earlier = uuidv7();
    const issuedBefore = Date.now() - 1;
    await publish(kafka, 'nexus.users.user', 'nexus.users.user.password_changed', earlier);

    const revocations = new TokenRevocations(3_600_000);
    const feed = await followTokenRevocations({
      kafka,
      logger,
      service: 'test',
      revocations,
      windowMs: 60_000,
    });
    try {
      await feed.caughtUp;
      // Caught up means already applied: no wait.
      expect(revocations.isRevoked(earlier, undefined, issuedBefore)).toBe(true);

      const later = uuidv7();
      const session = uuidv7();
      const sent = Date.now();
      await publish(kafka, 'nexus.users.user', 'nexus.users.user.updated', later, ['role']);
      await publish(kafka, 'nexus.users.session', 'nexus.users.session.ended', session);
      await until(
        () =>
          revocations.isRevoked(later, undefined, sent - 1) &&
          revocations.isRevoked(uuidv7(), session, Date.now()),
      );
      expect(Date.now() - sent).toBeLessThan(1_000);
      expect(revocations.isRevoked(uuidv7(), undefined, 0)).toBe(false);
    } finally {
      await feed.stop();
    }
  });

  it('replays nothing older than its window', async () => {
    const revocations = new TokenRevocations(3_600_000);
    const feed = await followTokenRevocations({
      kafka,
      logger,
      service: 'test',
      revocations,
      windowMs: 1,
    });
    try {
      await feed.caughtUp;
      expect(revocations.size).toBe(0);
    } finally {
      await feed.stop();
    }
  });
});
