/**
 * Live streams benchmark (issue 17; run: `npx nx run comms:bench`, and by `npm run bench`).
 *
 * ONE comms instance in this process (startComms, with a real users
 * process), real PostgreSQL and Kafka (DATABASE_URL / KAFKA_BROKERS, else
 * an ephemeral local stack). Measures:
 *   1. commit -> subscriber latency: 1,000 WatchRoom streams (50 rooms x 20
 *      members, one stream each), PostMessage at a steady 200 messages/s for
 *      WATCH_BENCH_SECONDS (20) after a 3 s warm-up; latency from just
 *      before the PostMessage call to each subscriber's arrival (and from its
 *      response, when the response came first); p50/p99 over all deliveries
 *      (one round).
 *   2. memory per idle subscriber: rss and heapUsed (after gc) before and
 *      after opening 1,000 idle streams, / 1,000. The clients live in this
 *      process too, so the figure includes their side of each stream.
 *   3. fan-out: those 1,000 streams on one room, 20 messages posted at once
 *      -> items/s delivered, against a bare grpc-js server writing the same
 *      WatchRoomResponse messages to 1,000 streams (median of 3 rounds each).
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
import { medianOfRounds, rowMet, writeBenchResult, type BenchRow } from '@nexus/testing';
import type { TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../src/testing/comms-harness';
import { rawFanOutRate } from './watch-raw-fanout';

const ROOMS = 50;
const MEMBERS = 20;
const RATE = 200;
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

/** NaN when nothing was measured. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function createRoom(comms: CommsHarness, owner: TestUser, members: TestUser[]) {
  const room = await comms.chat.createRoom(
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

const post = (comms: CommsHarness, owner: TestUser, roomId: string, text: string) =>
  comms.chat.postMessage(
    { roomId, text, attachmentIds: [], replyToId: '', requestId: '' },
    as(owner),
  );

/** 1. Steady 200 posts/s over 50 rooms; latency of every delivery to the 20 subscribers. */
async function latency(
  comms: CommsHarness,
  subscribers: Subscribers,
  owner: TestUser,
  members: TestUser[],
  rooms: string[],
) {
  const sent = new Map<string, { called: number; answered?: number; measured: boolean }>();
  const fromResponse: number[] = [];
  const fromCall: number[] = [];
  let early = 0;
  let items = 0;
  let failures = 0;
  await subscribers.openAll(
    rooms.flatMap((roomId) => members.map((user) => ({ user, roomId }))),
    (item) => {
      const at = performance.now();
      items++;
      const record = sent.get(textOf(item));
      if (!record?.measured) return;
      fromCall.push(at - record.called);
      if (record.answered === undefined) early++;
      else fromResponse.push(at - record.answered);
    },
  );
  say(`  ${subscribers.streams.length} WatchRoom streams open`);
  const total = (WARMUP_SECONDS + SECONDS) * RATE;
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; i < due; i++) {
      const text = `live ${i}`;
      const record: { called: number; answered?: number; measured: boolean } = {
        called: performance.now(),
        measured: i >= WARMUP_SECONDS * RATE,
      };
      sent.set(text, record);
      pending.push(
        post(comms, owner, rooms[i % rooms.length], text).then(
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
  say(
    `  posted ${total} in ${postSeconds.toFixed(1)} s; ${items} items so far, ${subscribers.failed} streams failed`,
  );
  await Promise.all(pending);
  // Let the last deliveries arrive.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  subscribers.cancelAll();
  const expected = SECONDS * RATE * MEMBERS;
  fromResponse.sort((a, b) => a - b);
  fromCall.sort((a, b) => a - b);
  return {
    responseP50: percentile(fromResponse, 50),
    responseP99: percentile(fromResponse, 99),
    p50: percentile(fromCall, 50),
    p99: percentile(fromCall, 99),
    deliveries: fromCall.length,
    expected,
    early,
    failures,
    rate: total / postSeconds,
  };
}

function memory() {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** 2. rss and heapUsed per idle stream (1,000 on one room). */
async function idleMemory(
  subscribers: Subscribers,
  members: TestUser[],
  roomId: string,
  onItem: (item: commsV1.WatchRoomResponse) => void,
): Promise<{ rss: number; heap: number }> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const before = memory();
  await subscribers.openAll(
    Array.from({ length: IDLE_STREAMS }, (_, i) => ({ user: members[i % members.length], roomId })),
    onItem,
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = memory();
  return {
    rss: (after.rss - before.rss) / IDLE_STREAMS,
    heap: (after.heapUsed - before.heapUsed) / IDLE_STREAMS,
  };
}

/** 3. Items/s the Watch path delivers to the open streams of `roomId` for FANOUT_MESSAGES posts. */
async function watchFanOut(
  comms: CommsHarness,
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
      post(comms, owner, roomId, `fan ${round} ${i}`),
    ),
  );
  await allReceived;
  return received.target / ((performance.now() - started) / 1000);
}

async function bench(): Promise<void> {
  const comms = await startComms({ LOG_LEVEL: 'silent' });
  const address = `127.0.0.1:${comms.service.grpcPort}`;
  const subscribers = new Subscribers(address);
  try {
    const owner = await comms.signUp();
    const members: TestUser[] = [];
    for (let i = 0; i < MEMBERS; i++) members.push(await comms.signUp());
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) rooms.push(await createRoom(comms, owner, members));
    say(`comms live streams benchmark: ${ROOMS} rooms x ${MEMBERS} members, one comms instance`);

    const lat = await latency(comms, subscribers, owner, members, rooms);
    say(
      `  latency at ${lat.rate.toFixed(0)} posts/s, ${SECONDS} s: from just before PostMessage p50 ${lat.p50.toFixed(1)} ms, ` +
        `p99 ${lat.p99.toFixed(1)} ms; from its response p50 ${lat.responseP50.toFixed(1)} ms, p99 ${lat.responseP99.toFixed(1)} ms ` +
        `(${lat.deliveries.toLocaleString('en')} of ${lat.expected.toLocaleString('en')} deliveries, ${lat.early} before the response, ${lat.failures} failed posts)`,
    );

    const fanRoom = rooms[0];
    const received: { count: number; target: number; done?: () => void } = { count: 0, target: 0 };
    // The idle streams then count the fan-out's deliveries.
    const mem = await idleMemory(subscribers, members, fanRoom, (item) => {
      if (textOf(item).startsWith('fan ') && ++received.count === received.target) {
        received.done?.();
      }
    });
    say(
      `  idle subscriber: rss ${(mem.rss / 1024).toFixed(1)} KiB, heapUsed ${(mem.heap / 1024).toFixed(1)} KiB per stream (${IDLE_STREAMS} streams, after gc)`,
    );
    const watchRates: number[] = [];
    const rawRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      watchRates.push(await watchFanOut(comms, owner, fanRoom, IDLE_STREAMS, received, round));
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
        reference: `${RATE} posts/s, ${ROOMS * MEMBERS} subscribers, one round of ${SECONDS} s`,
        value: lat.p99,
        bound: 50,
        sense: '<=',
      },
      {
        measurement: 'Watch memory per idle subscriber',
        figure: `${(mem.heap / 1024).toFixed(1)} KiB heap (rss ${(mem.rss / 1024).toFixed(1)} KiB)`,
        // rss moves by whole freed pages after the latency phase: the heap is the figure.
        reference: `${IDLE_STREAMS} idle streams, after gc, client side included`,
        value: mem.heap / 1024,
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
        `One comms instance in the bench process, real PostgreSQL and Kafka. Latency: ${ROOMS} rooms x ${MEMBERS} subscribers, PostMessage at ${RATE}/s for ${SECONDS} s after a warm-up, measured from just before the PostMessage call to each arrival (p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms; ${lat.early} of ${lat.deliveries} deliveries arrived before the post's response, so the response is no usable start). Memory: rss ${(mem.rss / 1024).toFixed(1)} KiB and heap ${(mem.heap / 1024).toFixed(1)} KiB per idle stream, clients in the same process included. Fan-out: ${FANOUT_MESSAGES} posts to one room watched by ${IDLE_STREAMS} streams against a bare grpc-js server writing the same messages (median of 3 rounds).`,
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
