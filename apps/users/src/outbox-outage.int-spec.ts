import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { usersV1 } from '@nexus/proto';
import { freePorts, startKafka, type RunningKafka } from '@nexus/stack';
import { EventCollector } from '@nexus/testing';
import { startUsers, type UsersHarness } from './testing/users-harness';

/**
 * The outbox promise: with the broker down, writes keep succeeding; when it
 * is back, every event arrives, in order per user, none lost. This test runs
 * a broker of its own so it can stop and restart it.
 */
describe('a Kafka outage', () => {
  let dataDir: string;
  let ports: number[];
  let kafka: RunningKafka | undefined;
  let users: UsersHarness | undefined;
  let collector: EventCollector | undefined;

  const startBroker = () =>
    startKafka({ dataDir, port: ports[0], controllerPort: ports[1], ephemeral: false });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'nexus-outage-'));
    ports = await freePorts(2);
    kafka = await startBroker();
    users = await startUsers({ KAFKA_BROKERS: kafka.brokers });
  }, 120_000);

  afterAll(async () => {
    await collector?.stop();
    await users?.stop();
    await kafka?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loses no event and keeps per-user order when the broker comes back', async () => {
    const harness = users!;
    const before = await harness.signUp();

    await kafka!.stop();
    const createdDuringOutage = [];
    for (let i = 0; i < 5; i += 1) {
      const { user, token } = await harness.signUp();
      await harness.client.updateUser(
        usersV1.UpdateUserRequest.fromPartial({
          user: { id: user.id, fullName: `Renamed ${i}` },
          updateMask: ['full_name'],
        }),
        { token },
      );
      createdDuringOutage.push(user.id);
    }

    kafka = await startBroker();
    collector = await EventCollector.start(['nexus.users.user'], kafka.brokers);
    for (const id of [before.user.id, ...createdDuringOutage]) {
      // created, and for the outage users the rename (a sign-in publishes on the session topic only).
      const expected = id === before.user.id ? 1 : 2;
      const events = await collector.waitForSubject(id, expected, 60_000);
      const firstSeen = [...new Map(events.map((e) => [e.id, e])).values()];
      expect(firstSeen.map((e) => e.type)).toEqual(
        ['nexus.users.user.created', 'nexus.users.user.updated'].slice(0, expected),
      );
      expect(firstSeen.at(-1)?.data.after?.fullName).toBe(
        id === before.user.id ? before.user.fullName : `Renamed ${createdDuringOutage.indexOf(id)}`,
      );
    }
  }, 180_000);
});
