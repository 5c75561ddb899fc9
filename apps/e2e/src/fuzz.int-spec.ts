import { status } from '@grpc/grpc-js';
import { ROLES, type Role } from '@nexus/core';
import { TEST_PASSWORD, type TestUser } from '@nexus/testing';
import { ACCESS } from './access-table';
import { snapshotSchema } from './db-snapshot';
import { createFixtures, type Fixtures } from './fixtures';
import { Gen, corrupt, extraFields, mutate, prng } from './fuzz-gen';
import { typedFieldsOf, withTypedExtremes } from './fuzz-typed';
import {
  GRPC_SERVICES,
  SERVICE_PROTOS,
  invalidTokens,
  invoke,
  judgedMethods,
  startPlatform,
  type Platform,
  type RpcMethod,
  type ServiceName,
} from './platform';
import { RawClient, codeName, type Outcome } from './raw-call';

/** Requests per service (spread over its RPCs); FUZZ_REQUESTS overrides, FUZZ_SEED replays a run. */
const PER_SERVICE = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 16;
/**
 * Per typed field (JSON, Timestamp, date, decimal; see fuzz-typed.ts), the
 * chance that a mutated request carries an extreme of its type there.
 */
const TYPED_RATE = Number(process.env.FUZZ_TYPED_RATE ?? 0.3);
/** FUZZ_SERVICES=work,users fuzzes only those. */
const SERVICES = process.env.FUZZ_SERVICES
  ? GRPC_SERVICES.filter((s) => process.env.FUZZ_SERVICES!.split(',').includes(s))
  : GRPC_SERVICES;
/**
 * Outcomes that mean the call was never judged: the service hung (the
 * client's deadline passed) or refused the stream. Each one fails the run.
 */
const UNJUDGED = [status.DEADLINE_EXCEEDED, status.UNAVAILABLE];
/**
 * Rejected calls that change rows by design, or whose refusal lasts only a
 * while, left out of the replay phase: a failed sign-in counts towards the
 * login's throttle, and a throttled reset request (RESOURCE_EXHAUSTED) may
 * rightly pass once its wait is over.
 */
const CHANGES_WHEN_REJECTED = new Set([
  '/nexus.users.v1.UserService/Authenticate',
  '/nexus.users.v1.UserService/RequestPasswordReset',
]);

/**
 * RPCs that end sessions, which revokes their access tokens on every
 * service: a SignOut stripped of its refresh token ends the caller's own
 * session. They are fuzzed by callers, and against an owner, of their own,
 * so the callers of every other RPC keep their tokens for the whole run.
 */
const SESSION_ENDING = new Set(
  ['SignOut', 'SignOutEverywhere', 'EndSession', 'RefreshSession'].map(
    (name) => `/nexus.users.v1.UserService/${name}`,
  ),
);

/**
 * Refusals that do not depend on the data (bad input, bad or missing token):
 * the calls replayed in phase 2, where no row may change. NOT_FOUND,
 * FAILED_PRECONDITION, PERMISSION_DENIED... depend on what other fuzzed calls
 * did first and may rightly pass on a replay, so they are not replayed.
 */
const REFUSALS = [status.INVALID_ARGUMENT, status.UNAUTHENTICATED, status.RESOURCE_EXHAUSTED];

let platform: Platform;
let callers: Record<Role, TestUser>;
let fx: Fixtures;
/** Callers and fixtures (another owner) for SESSION_ENDING. */
let sessionCallers: Record<Role, TestUser>;
let sessionFx: Fixtures;
let bad: { expired: string; foreignKey: string };
/** Every unary RPC and every Watch (called up to its first item or status, then cancelled). */
const unary = judgedMethods();

beforeAll(async () => {
  console.log(
    `fuzz seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${PER_SERVICE} requests per service`,
  );
  platform = await startPlatform();
  const owner = await platform.signUp('user');
  callers = {
    admin: platform.admin,
    manager: await platform.signUp('manager'),
    user: owner,
    guest: await platform.signUp('guest'),
  };
  fx = await createFixtures(platform, owner, await platform.signUp('user'));
  const sessionOwner = await platform.signUp('user');
  sessionCallers = {
    admin: await platform.signUp('admin'),
    manager: await platform.signUp('manager'),
    user: sessionOwner,
    guest: await platform.signUp('guest'),
  };
  const spare = await platform.usersClient.authenticate({
    login: sessionOwner.user.email,
    password: TEST_PASSWORD,
  });
  sessionFx = {
    ...fx,
    owner: sessionOwner,
    ownerSession: { id: spare.sessionId, refreshToken: spare.refreshToken },
  };
  bad = invalidTokens(owner.user.id);
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

interface FuzzCase {
  method: RpcMethod;
  payload: Buffer;
  token?: string;
  /** Whether typed extremes were written into the request. */
  typed: boolean;
}

function generate(
  gen: Gen,
  methods: RpcMethod[],
  count: number,
  replayTokens: string[],
): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i += 1) {
    const method = gen.pick(methods);
    const role = gen.chance(0.6) ? 'admin' : gen.pick(ROLES);
    const endsSessions = SESSION_ENDING.has(method.path);
    const caller = (endsSessions ? sessionCallers : callers)[role];
    const template = ACCESS[method.path].request(endsSessions ? sessionFx : fx, caller);
    const valid = Buffer.from(method.request.encode(method.request.fromPartial(template)).finish());
    let payload: Buffer;
    let typed = false;
    if (gen.chance(0.15)) payload = corrupt(gen, valid);
    else {
      const request = { ...(mutate(gen, template) as object), ...extraFields(gen, replayTokens) };
      try {
        const encoded = method.request.encode(method.request.fromPartial(request)).finish();
        payload = withTypedExtremes(gen, method.path, encoded, TYPED_RATE);
        typed = !payload.equals(encoded);
      } catch {
        payload = corrupt(gen, valid);
      }
    }
    const token = gen.chance(0.05)
      ? gen.pick([undefined, bad.expired, bad.foreignKey, 'x.y.z'])
      : caller.token;
    cases.push({ method, payload, token, typed });
  }
  return cases;
}

async function runAll(client: RawClient, cases: FuzzCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(cases.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const index = next++;
        const c = cases[index];
        outcomes[index] = await invoke(client, c.method, c.payload, c.token);
      }
    }),
  );
  return outcomes;
}

/** Real page tokens, to replay them against other filters and other callers. */
async function realPageTokens(client: RawClient, methods: RpcMethod[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const method of methods.filter((m) => m.name.startsWith('List'))) {
    const template = { ...ACCESS[method.path].request(fx, callers.admin), pageSize: 1 };
    const payload = Buffer.from(
      method.request.encode(method.request.fromPartial(template)).finish(),
    );
    const outcome = await client.call(method.path, payload, callers.admin.token);
    if (outcome.code !== status.OK) continue;
    const response = method.def.responseDeserialize(outcome.response!) as {
      nextPageToken?: string;
    };
    if (response.nextPageToken) tokens.push(response.nextPageToken);
  }
  return tokens;
}

/** The first distinct details of each failing code, for the log. */
const samples = (outcomes: Outcome[], cases: FuzzCase[]) => {
  const seen = new Map<string, Set<string>>();
  outcomes.forEach((o, i) => {
    if (o.code === status.OK) return;
    const set = seen.get(codeName(o.code)) ?? new Set<string>();
    if (set.size < 3) set.add(`${cases[i].method.name}: ${o.details.slice(0, 160)}`);
    seen.set(codeName(o.code), set);
  });
  return Object.fromEntries([...seen].map(([k, v]) => [k, [...v]]));
};

const tally = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>((acc, o) => {
    acc[codeName(o.code)] = (acc[codeName(o.code)] ?? 0) + 1;
    return acc;
  }, {});

describe.each(SERVICES.map((s) => [s]))('fuzzing the %s service', (service: ServiceName) => {
  it('answers every generated request in time, without INTERNAL or UNKNOWN, stays up, and no rejected call changes a row', async () => {
    const started = Date.now();
    const app = platform.apps[service];
    const client = new RawClient(app.grpcAddress);
    const methods = unary.filter((m) => m.service === service);
    const gen = new Gen(prng(SEED ^ (service.length * 7919)));
    try {
      const replayTokens = await realPageTokens(client, methods);
      // Phase 1: everything generated (some calls are valid and write).
      const cases = generate(gen, methods, PER_SERVICE, replayTokens);
      const outcomes = await runAll(client, cases);
      const broken = outcomes
        .map((o, i) => ({ o, c: cases[i] }))
        .filter(({ o }) => [status.INTERNAL, status.UNKNOWN, ...UNJUDGED].includes(o.code))
        .map(
          ({ o, c }) =>
            `${c.method.name}: ${codeName(o.code)} ${o.details} (${c.payload.length} B)`,
        );

      // Phase 2: replay only the rejected calls; not one row may change.
      // Only data-independent refusals replay (see REFUSALS).
      const rejected = cases.filter(
        (c, i) => REFUSALS.includes(outcomes[i].code) && !CHANGES_WHEN_REJECTED.has(c.method.path),
      );
      const schema = SERVICE_PROTOS[service].schema;
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // let stragglers finish
      const before = await snapshotSchema(schema);
      const replayed = await runAll(client, rejected);
      const after = await snapshotSchema(schema);
      const acceptedOnReplay = replayed.filter((o) => o.code === status.OK).length;

      const health = await fetch(`http://127.0.0.1:${app.httpPort}/healthz`);
      const seconds = (Date.now() - started) / 1000;
      const typedCases = cases.filter((c) => c.typed).length;
      const typedFields = methods.flatMap((m) =>
        typedFieldsOf(m.path).map((f) => `${m.name}.${f}`),
      );
      console.log(
        `fuzz ${service}: ${cases.length} requests (${typedCases} with typed extremes in ${typedFields.length} typed fields) + ${rejected.length} replayed rejects over ${methods.length} RPCs in ${seconds.toFixed(1)} s (seed ${SEED}); ` +
          `outcomes ${JSON.stringify(tally(outcomes))}; replay ${JSON.stringify(tally(replayed))}\n` +
          `typed fields: ${typedFields.join(', ')}\n` +
          JSON.stringify(samples(outcomes, cases), null, 1),
      );
      expect(broken.slice(0, 20)).toEqual([]);
      expect(
        replayed.filter((o) => [status.INTERNAL, status.UNKNOWN, ...UNJUDGED].includes(o.code)),
      ).toEqual([]);
      expect(acceptedOnReplay).toBe(0);
      expect(after).toEqual(before);
      expect(health.status).toBe(200);
    } finally {
      client.close();
    }
  }, 600_000);
});
