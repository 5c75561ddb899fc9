/**
 * Live streams benchmark (issue 17; run: `npx nx run comms:bench`, and by `npm run bench`).
 *
 * Real PostgreSQL and Kafka (DATABASE_URL / KAFKA_BROKERS, else an
 * ephemeral local stack) and a real users process. Measures:
 *   1. commit -> subscriber latency: 1,000 WatchRoom streams (50 rooms x 20
 *      members, one stream each), PostMessage at a steady 200 messages/s for
 *      WATCH_BENCH_SECONDS (20) after a 3 s warm-up; latency from the
 *      change's time (stamped by the writing transaction just before it
 *      commits, on this process's clock) to each subscriber's arrival: the
 *      target figure. Also from just before the PostMessage call, which adds
 *      the write's own wait in a loaded service; p50/p99 over all deliveries
 *      (one round). ONE comms instance in its own process, as deployed: the
 *      subscribers and the poster are this process, so the service's event
 *      loop serves its streams, not its clients.
 *   2. memory per idle subscriber: rss and heapUsed (after gc) before and
 *      after 1,000 idle streams were opened, / 1,000, on a comms instance in
 *      this process (startComms) so gc can run first; the streams are held
 *      by another process, so the figure is the server's side alone.
 *   3. fan-out: those 1,000 streams on one room, 20 messages posted at once
 *      -> items/s delivered, against a bare grpc-js server writing the same
 *      WatchRoomResponse messages to 1,000 streams (median of 3 rounds each),
 *      server and clients in this process for both.
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Metadata,
  credentials,
  type ClientReadableStream,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { withScratchDatabase } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { createPromiseClient } from '@nexus/clients';
import {
  medianOfRounds,
  percentile,
  rowMet,
  startAppProcess,
  startUsersProcess,
  writeBenchResult,
  type BenchRow,
  type TestUser,
  type UsersProcess,
} from '@nexus/testing';
import { as, startComms, type ChatClient } from '../src/testing/comms-harness';
import { openIdleSubscribers } from './idle-subscribers';
import { rawFanOutRate } from './watch-raw-fanout';

const ROOMS = 50;
const MEMBERS = 20;
/** Posting rates of the latency rounds; the target is at the last (200/s). */
const RATES = [50, 100, 200];
const SECONDS = Number(process.env.WATCH_BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = 3;
const IDLE_STREAMS = 1_000;
const FANOUT_MESSAGES = 20;
const CHANNELS = 8;
const say = (line: string) => console.log(line);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Stream = ClientReadableStream<commsV1.WatchRoomResponse>;

/** Raw grpc-js clients sharing a few channels; every stream they open is cancelled at the end. */
class Subscribers {
  private readonly clients: commsV1.ChatServiceClient[];
  readonly streams: Stream[] = [];
  /** Streams that ended other than by our cancel. */
  failed = 0;
  private next = 0;

  constructor(address: string) {
    this.clients = Array.from(
      { length: CHANNELS },
      () => new commsV1.ChatServiceClient(address, credentials.createInsecure()),
    );
  }

  /** Opens a stream and resolves once its caught_up item arrived. */
  open(user: TestUser, roomId: string, onItem: (item: commsV1.WatchRoomResponse) => void) {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${user.token}`);
    const stream = this.clients[this.next++ % CHANNELS].watchRoom({ roomId, cursor: '' }, metadata);
    this.streams.push(stream);
    return new Promise<void>((resolve, reject) => {
      stream.on('data', (item: commsV1.WatchRoomResponse) =>
        item.verb === 'caught_up' ? resolve() : onItem(item),
      );
      stream.on('error', (error: ServiceError) => {
        if (error.code !== status.CANCELLED && this.failed++ === 0) {
          say(`  a stream ended: ${error.code} ${error.details}`);
        }
        reject(error);
      });
    });
  }

  async openAll(
    pairs: { user: TestUser; roomId: string }[],
    onItem: (item: commsV1.WatchRoomResponse) => void,
  ): Promise<void> {
    for (let i = 0; i < pairs.length; i += 100) {
      await Promise.all(pairs.slice(i, i + 100).map((p) => this.open(p.user, p.roomId, onItem)));
    }
  }

  cancelAll(): void {
    for (const stream of this.streams.splice(0)) stream.cancel();
  }

  close(): void {
    this.cancelAll();
    for (const client of this.clients) client.close();
  }
}

const textOf = (item: commsV1.WatchRoomResponse) =>
  item.verb === 'created' && item.resource?.$case === 'message' ? item.resource.value.text : '';

async function createRoom(chat: ChatClient, owner: TestUser, members: TestUser[]) {
  const room = await chat.createRoom(
    {
      room: commsV1.ChatRoom.fromPartial({
        name: `watch bench ${Math.random().toString(36).slice(2)}`,
        kind: commsV1.RoomKind.ROOM_KIND_PRIVATE,
      }),
      memberIds: members.map((member) => member.user.id),
      requestId: '',
    },
    as(owner),
  );
  return room.id;
}

const post = (chat: ChatClient, owner: TestUser, roomId: string, text: string) =>
  chat.postMessage({ roomId, text, attachmentIds: [], replyToId: '', requestId: '' }, as(owner));

interface Sent {
  called: number;
  answered?: number;
  measured: boolean;
}

/** The arrivals of the current round's posts, matched to them by text. */
class LatencyProbe {
  readonly sent = new Map<string, Sent>();
  fromChange: number[] = [];
  fromCall: number[] = [];
  early = 0;
  items = 0;

  arrived(item: commsV1.WatchRoomResponse): void {
    const at = performance.now();
    const wallAt = Date.now();
    this.items++;
    const record = this.sent.get(textOf(item));
    if (!record?.measured) return;
    this.fromCall.push(at - record.called);
    this.fromChange.push(wallAt - (item.changeTime?.getTime() ?? Number.NaN));
    if (record.answered === undefined) this.early++;
  }

  reset(): void {
    this.sent.clear();
    this.fromChange = [];
    this.fromCall = [];
    this.early = 0;
    this.items = 0;
  }
}

/**
 * 1. Comms in its own process with 1,000 streams (50 rooms x 20 members);
 * one round of steady posting per rate in RATES, over the 50 rooms.
 */
async function latencyOnOwnProcess(users: UsersProcess, owner: TestUser, members: TestUser[]) {
  const service = await startAppProcess('comms', {
    USERS_GRPC_ADDRESS: users.address,
    CONTENT_ATTACHMENT_CHECK: 'false',
  });
  const chat = createPromiseClient(commsV1.ChatServiceService, { address: service.grpcAddress });
  const subscribers = new Subscribers(service.grpcAddress);
  try {
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) rooms.push(await createRoom(chat, owner, members));
    const probe = new LatencyProbe();
    await subscribers.openAll(
      rooms.flatMap((roomId) => members.map((user) => ({ user, roomId }))),
      (item) => probe.arrived(item),
    );
    say(`  ${subscribers.streams.length} WatchRoom streams open on comms in its own process`);
    const curve = [];
    for (const rate of RATES) curve.push(await latencyAt(rate, chat, owner, rooms, probe));
    return { curve, rooms, failedStreams: subscribers.failed };
  } finally {
    subscribers.close();
    chat.close();
    await service.stop();
  }
}

/** PostMessage at a steady `rate` for WARMUP_SECONDS + SECONDS; latency of every measured delivery. */
async function latencyAt(
  rate: number,
  chat: ChatClient,
  owner: TestUser,
  rooms: string[],
  probe: LatencyProbe,
) {
  probe.reset();
  let failures = 0;
  const total = (WARMUP_SECONDS + SECONDS) * rate;
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; i < due; i++) {
      const text = `live ${rate} ${i}`;
      const record: Sent = { called: performance.now(), measured: i >= WARMUP_SECONDS * rate };
      probe.sent.set(text, record);
      pending.push(
        post(chat, owner, rooms[i % rooms.length], text).then(
          () => (record.answered = performance.now()),
          (error: unknown) => {
            if (failures++ === 0) say(`  a post failed: ${String(error)}`);
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const postSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  // Let the last deliveries arrive.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const { fromChange, fromCall } = probe;
  const result = {
    rate,
    achieved: total / postSeconds,
    p50: percentile(fromChange, 50),
    p99: percentile(fromChange, 99),
    callP50: percentile(fromCall, 50),
    callP99: percentile(fromCall, 99),
    deliveries: fromCall.length,
    expected: SECONDS * rate * MEMBERS,
    early: probe.early,
    failures,
  };
  say(
    `  latency at ${result.achieved.toFixed(0)} posts/s, ${SECONDS} s: from the change's commit p50 ${result.p50.toFixed(1)} ms, ` +
      `p99 ${result.p99.toFixed(1)} ms; from just before PostMessage p50 ${result.callP50.toFixed(1)} ms, p99 ${result.callP99.toFixed(1)} ms ` +
      `(${result.deliveries.toLocaleString('en')} of ${result.expected.toLocaleString('en')} deliveries, ${result.early} before the response, ${failures} failed posts)`,
  );
  return result;
}

function memory() {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/**
 * 2. rss and heapUsed of this process (the service's) per idle stream, 1,000
 * on one room, held open by another process so only the server's side of
 * each stream is weighed; the median of 3 rounds.
 */
async function idleMemory(address: string, members: TestUser[], roomId: string) {
  const rss: number[] = [];
  const heap: number[] = [];
  const streams = Array.from({ length: IDLE_STREAMS }, (_, i) => ({
    token: members[i % members.length].token,
    roomId,
  }));
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = memory();
    const held = await openIdleSubscribers({ address, channels: CHANNELS, streams });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = memory();
    await held.stop();
    rss.push((after.rss - before.rss) / IDLE_STREAMS);
    heap.push((after.heapUsed - before.heapUsed) / IDLE_STREAMS);
  }
  return { rss: medianOfRounds(rss).median, heap: medianOfRounds(heap), heapRounds: heap };
}

/** 3. Items/s the Watch path delivers to the open streams of `roomId` for FANOUT_MESSAGES posts. */
async function watchFanOut(
  chat: ChatClient,
  owner: TestUser,
  roomId: string,
  streams: number,
  received: { count: number; target: number; done?: () => void },
  round: number,
): Promise<number> {
  received.count = 0;
  received.target = streams * FANOUT_MESSAGES;
  const allReceived = new Promise<void>((resolve) => (received.done = resolve));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: FANOUT_MESSAGES }, (_, i) =>
      post(chat, owner, roomId, `fan ${round} ${i}`),
    ),
  );
  await allReceived;
  return received.target / ((performance.now() - started) / 1000);
}

async function bench(): Promise<void> {
  const users = await startUsersProcess();
  try {
    await benchWith(users);
  } finally {
    await users.stop();
  }
}

async function benchWith(users: UsersProcess): Promise<void> {
  const owner = await users.signUp();
  const members: TestUser[] = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await users.signUp());
  say(`comms live streams benchmark: ${ROOMS} rooms x ${MEMBERS} members, one comms instance`);
  const { curve, rooms } = await latencyOnOwnProcess(users, owner, members);
  const lat = curve[curve.length - 1];
  const comms = await startComms({ LOG_LEVEL: 'silent' }, users);
  const address = `127.0.0.1:${comms.service.grpcPort}`;
  const subscribers = new Subscribers(address);
  try {
    const fanRoom = rooms[0];
    const received: { count: number; target: number; done?: () => void } = { count: 0, target: 0 };
    const mem = await idleMemory(address, members, fanRoom);
    say(
      `  idle subscriber: rss ${(mem.rss / 1024).toFixed(1)} KiB, heapUsed ${(mem.heap.median / 1024).toFixed(1)} KiB per stream (${IDLE_STREAMS} streams, after gc; rounds ${mem.heapRounds.map((r) => (r / 1024).toFixed(1)).join(', ')} KiB)`,
    );
    await subscribers.openAll(
      Array.from({ length: IDLE_STREAMS }, (_, i) => ({
        user: members[i % members.length],
        roomId: fanRoom,
      })),
      (item) => {
        if (textOf(item).startsWith('fan ') && ++received.count === received.target) {
          received.done?.();
        }
      },
    );
    const watchRates: number[] = [];
    const rawRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      watchRates.push(await watchFanOut(comms.chat, owner, fanRoom, IDLE_STREAMS, received, round));
      const message = commsV1.WatchRoomResponse.fromPartial({
        verb: 'created',
        cursor: 'comms:123456',
        changeTime: new Date(),
        actorId: owner.user.id,
        resource: {
          $case: 'message',
          value: commsV1.ChatMessage.fromPartial({
            id: '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0000',
            roomId: fanRoom,
            authorId: owner.user.id,
            text: `fan ${round} 00`,
            createTime: new Date(),
          }),
        },
      });
      rawRates.push(
        await rawFanOutRate(IDLE_STREAMS, Array(FANOUT_MESSAGES).fill(message), CHANNELS),
      );
    }
    const watchRate = medianOfRounds(watchRates);
    const rawRate = medianOfRounds(rawRates);
    const ratios = watchRates.map((rate, i) => rate / rawRates[i]);
    const ratio = medianOfRounds(ratios);
    say(
      `  fan-out to ${IDLE_STREAMS} streams: Watch ${Math.round(watchRate.median).toLocaleString('en')} items/s, ` +
        `raw grpc-js ${Math.round(rawRate.median).toLocaleString('en')} items/s, ratio ${ratio.median.toFixed(2)} ` +
        `(rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    );

    const rows: BenchRow[] = [
      {
        measurement: 'WatchRoom commit → subscriber p99',
        figure: `${lat.p99.toFixed(1)} ms (p50 ${lat.p50.toFixed(1)} ms)`,
        reference: `${lat.rate} posts/s, ${ROOMS * MEMBERS} subscribers, comms in its own process, one round of ${SECONDS} s`,
        value: lat.p99,
        bound: 50,
        sense: '<=',
      },
      {
        measurement: 'Watch memory per idle subscriber',
        figure: `${(mem.heap.median / 1024).toFixed(1)} KiB heap (rss ${(mem.rss / 1024).toFixed(1)} KiB)`,
        // rss moves by whole freed pages after the latency phase: the heap is the figure.
        reference: `${IDLE_STREAMS} idle streams, after gc, server side (clients in another process), median of 3 rounds`,
        value: mem.heap.median / 1024,
        spread: {
          min: mem.heap.min / 1024,
          max: mem.heap.max / 1024,
          rounds: mem.heap.rounds,
        },
        bound: 20,
        sense: '<=',
      },
      {
        measurement: 'Watch fan-out / raw grpc-js',
        figure: `${Math.round(watchRate.median).toLocaleString('en')} items/s`,
        reference: `raw = ${Math.round(rawRate.median).toLocaleString('en')} items/s`,
        value: ratio.median,
        spread: { min: ratio.min, max: ratio.max, rounds: ratio.rounds },
        bound: 0.5,
        sense: '>=',
      },
    ];
    for (const row of rows) {
      say(
        `${rowMet(row) ? 'MET   ' : 'MISSED'} ${row.measurement}: ${row.figure} (target ${row.sense} ${row.bound}; ${row.reference})`,
      );
    }
    await writeBenchResult({
      rows,
      markdown: [
        '### comms live streams (WatchRoom)',
        '',
        `Real PostgreSQL and Kafka. Latency: one comms instance in its own process, ${ROOMS} rooms x ${MEMBERS} subscribers in the bench process, PostMessage at a steady rate for ${SECONDS} s after a warm-up, measured from the change's time (stamped in the writing transaction just before its commit) to each arrival, and from just before the PostMessage call (which adds the write's own wait): ${curve.map((round) => `at ${round.rate}/s p50 ${round.p50.toFixed(1)} ms, p99 ${round.p99.toFixed(1)} ms (from the call p50 ${round.callP50.toFixed(1)} ms, p99 ${round.callP99.toFixed(1)} ms)`).join('; ')}. Memory, on a comms instance in the bench process: rss ${(mem.rss / 1024).toFixed(1)} KiB and heap ${(mem.heap.median / 1024).toFixed(1)} KiB per idle stream (median of 3 rounds), the streams held by another process. Fan-out: ${FANOUT_MESSAGES} posts to one room watched by ${IDLE_STREAMS} streams against a bare grpc-js server writing the same messages (median of 3 rounds).`,
      ].join('\n'),
    });
  } finally {
    subscribers.close();
    await comms.stop();
  }
}

async function main(): Promise<void> {
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL ??= 'silent';
  if (!process.env.JWT_PRIVATE_KEY || !process.env.JWT_PUBLIC_KEY) {
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    process.env.JWT_PRIVATE_KEY = keys.privateKey;
    process.env.JWT_PUBLIC_KEY = keys.publicKey;
  }
  let stack: LocalStack | undefined;
  if (!process.env.DATABASE_URL || !process.env.KAFKA_BROKERS) {
    say('starting an ephemeral PostgreSQL and Kafka...');
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(tmpdir(), 'comms-watch-bench-')),
      ephemeral: true,
      withPostgres: !process.env.DATABASE_URL,
      withKafka: !process.env.KAFKA_BROKERS,
    });
  }
  const databaseUrl = process.env.DATABASE_URL ?? stack!.databaseUrl!;
  process.env.KAFKA_BROKERS ??= stack!.kafkaBrokers!;
  try {
    await withScratchDatabase(databaseUrl, 'nexus_comms_watch_bench', async (url) => {
      process.env.DATABASE_URL = url;
      await bench();
    });
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
