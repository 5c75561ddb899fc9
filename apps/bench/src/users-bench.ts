import { commonV1, usersV1 } from '@nexus/proto';
import { startEchoProcess } from './echo-process';
import { CpuMeter, type CpuParties } from './cpu-meter';
import { closedLoop, type LoadResult } from './load';
import { RawUsersSql } from './raw-postgres';
import { seriesLimit } from './stats';
import type { RunningUsers } from './users-service';

export const BENCH_PASSWORD = 'correct horse battery staple';

export interface LoadShape {
  concurrency: number;
  seconds: number;
}

export interface PhysicalLimits {
  userBytes: number;
  getRequestBytes: number;
  createRequestBytes: number;
  grpcGet: LoadResult;
  grpcCreate: LoadResult;
  sqlGet: LoadResult;
  sqlCreate: LoadResult;
  /** H = 1 / (1/G + 1/P) per operation. */
  hGet: number;
  hCreate: number;
}

export interface ServiceFigure {
  load: LoadResult;
  /** CPU time (user + system, all threads) of the service process per successful call. */
  cpuMicrosPerCall: number;
}

export interface ServiceFigures {
  get: ServiceFigure;
  create: ServiceFigure;
  update: ServiceFigure;
}

/** One round: G and P with the service stopped, then the service. */
export interface Round {
  limits: PhysicalLimits;
  service: ServiceFigures;
}

export const LIMIT_LOADS = ['grpcGet', 'grpcCreate', 'sqlGet', 'sqlCreate'] as const;
export const SERVICE_CALLS = ['get', 'create', 'update'] as const;

/**
 * Every measurement at its best round. Other processes on the host can only
 * slow a measurement down, never speed it up, so the best of a few rounds,
 * taken alike for G, P and the service, is the least disturbed figure of
 * each; H is recomputed from the chosen G and P.
 */
export function bestOfRounds(rounds: readonly Round[]): Round {
  const [first, ...rest] = rounds;
  if (!first) throw new Error('no rounds measured');
  const limits = { ...first.limits };
  const service = { ...first.service };
  for (const round of rest) {
    for (const key of LIMIT_LOADS) {
      if (round.limits[key].rate > limits[key].rate) limits[key] = round.limits[key];
    }
    for (const key of SERVICE_CALLS) {
      if (round.service[key].load.rate > service[key].load.rate) service[key] = round.service[key];
    }
  }
  limits.hGet = seriesLimit(limits.grpcGet.rate, limits.sqlGet.rate);
  limits.hCreate = seriesLimit(limits.grpcCreate.rate, limits.sqlCreate.rate);
  return { limits, service };
}

/** How much of the machine processes outside the benchmark took during a window. */
export function othersNote(load: LoadResult): string {
  const cpu = load.cpu;
  return cpu ? ` (others on the host: ${((100 * cpu.others) / cpu.capacity).toFixed(0)}%)` : '';
}

export function createUserRequest(tag: string): usersV1.CreateUserRequest {
  return {
    user: usersV1.User.fromPartial({
      email: `svc-${tag}@bench.example`,
      username: `svc-${tag}`,
      fullName: 'Bench User',
      role: commonV1.Role.ROLE_USER,
    }),
    password: BENCH_PASSWORD,
    requestId: '',
  };
}

/**
 * G and P, each alone on the machine: the echo server with the service's
 * message sizes, then raw SQL. The users service must not run meanwhile (its
 * relay would compete for the CPU); `sample` is a User it returned earlier.
 */
export async function measurePhysicalLimits(options: {
  databaseUrl: string;
  token: string;
  sample: usersV1.User;
  seedIds: readonly string[];
  shape: LoadShape;
  tag: string;
  parties: CpuParties;
  log: (line: string) => void;
}): Promise<PhysicalLimits> {
  const { shape, seedIds, tag, log, parties } = options;
  const userBytes = Buffer.from(usersV1.User.encode(options.sample).finish());
  const getRequest = Buffer.from(usersV1.GetUserRequest.encode({ id: options.sample.id }).finish());
  const createRequest = Buffer.from(
    usersV1.CreateUserRequest.encode(createUserRequest(`${tag}-0000-000000`)).finish(),
  );

  const echo = await startEchoProcess(userBytes, options.token);
  const echoMeter = new CpuMeter({ ...parties, server: echo.pid });
  let grpcGet: LoadResult;
  let grpcCreate: LoadResult;
  try {
    grpcGet = await closedLoop({
      ...shape,
      meter: echoMeter,
      call: async () => void (await echo.call(getRequest)),
    });
    log(`G (get-sized echo): ${grpcGet.rate.toFixed(0)} calls/s${othersNote(grpcGet)}`);
    grpcCreate = await closedLoop({
      ...shape,
      meter: echoMeter,
      call: async () => void (await echo.call(createRequest)),
    });
    log(`G (create-sized echo): ${grpcCreate.rate.toFixed(0)} calls/s${othersNote(grpcCreate)}`);
  } finally {
    await echo.stop();
  }

  const sql = await RawUsersSql.connect(options.databaseUrl, shape.concurrency);
  const sqlMeter = new CpuMeter(parties);
  let sqlGet: LoadResult;
  let sqlCreate: LoadResult;
  try {
    sqlGet = await closedLoop({
      ...shape,
      meter: sqlMeter,
      call: (worker, n) => sql.getUser(worker, seedIds[(worker * 7919 + n) % seedIds.length]),
    });
    log(`P (GetUser SQL): ${sqlGet.rate.toFixed(0)} ops/s${othersNote(sqlGet)}`);
    sqlCreate = await closedLoop({
      ...shape,
      meter: sqlMeter,
      call: (worker, n) => sql.createUser(worker, `${tag}-${worker}-${n}`),
    });
    log(`P (CreateUser SQL + outbox): ${sqlCreate.rate.toFixed(0)} ops/s${othersNote(sqlCreate)}`);
  } finally {
    await sql.close();
  }
  return {
    userBytes: userBytes.length,
    getRequestBytes: getRequest.length,
    createRequestBytes: createRequest.length,
    grpcGet,
    grpcCreate,
    sqlGet,
    sqlCreate,
    hGet: seriesLimit(grpcGet.rate, sqlGet.rate),
    hCreate: seriesLimit(grpcCreate.rate, sqlCreate.rate),
  };
}

/** One closed-loop measurement of the service, with its process's CPU time per call. */
export async function measureServiceCall(
  users: RunningUsers,
  shape: LoadShape,
  call: (worker: number, n: number) => Promise<void>,
  parties: CpuParties,
): Promise<ServiceFigure> {
  const load = await closedLoop({
    ...shape,
    call,
    meter: new CpuMeter({ ...parties, server: users.pid }),
  });
  const serverMicros = load.cpu?.server ?? NaN;
  return { load, cpuMicrosPerCall: load.calls > 0 ? serverMicros / load.calls : NaN };
}

/** Calls for each measured operation, shared by the measurement and the profile run. */
export function serviceCalls(
  users: RunningUsers,
  seedIds: readonly string[],
  tag: string,
): Record<'get' | 'create' | 'update', (worker: number, n: number) => Promise<void>> {
  return {
    get: async (worker, n) => {
      await users.client.getUser({ id: seedIds[(worker * 7919 + n) % seedIds.length] });
    },
    create: async (worker, n) => {
      await users.client.createUser(createUserRequest(`${tag}-${worker}-${n}`));
    },
    // Each caller updates a user of its own: writes without hashing, no lock contention.
    update: async (worker, n) => {
      await users.client.updateUser({
        user: usersV1.User.fromPartial({
          id: seedIds[worker % seedIds.length],
          fullName: `Renamed ${tag} ${n}`,
        }),
        updateMask: ['full_name'],
      });
    },
  };
}

export async function measureService(
  users: RunningUsers,
  seedIds: readonly string[],
  shape: LoadShape,
  tag: string,
  parties: CpuParties,
  log: (line: string) => void,
): Promise<ServiceFigures> {
  const calls = serviceCalls(users, seedIds, tag);
  const get = await measureServiceCall(users, shape, calls.get, parties);
  log(
    `service GetUser: ${get.load.rate.toFixed(0)} calls/s, ${get.cpuMicrosPerCall.toFixed(0)} µs CPU/call${othersNote(get.load)}`,
  );
  const create = await measureServiceCall(users, shape, calls.create, parties);
  log(
    `service CreateUser: ${create.load.rate.toFixed(1)} calls/s, ${create.cpuMicrosPerCall.toFixed(0)} µs CPU/call${othersNote(create.load)}`,
  );
  const update = await measureServiceCall(users, shape, calls.update, parties);
  log(
    `service UpdateUser: ${update.load.rate.toFixed(0)} calls/s, ${update.cpuMicrosPerCall.toFixed(0)} µs CPU/call${othersNote(update.load)}`,
  );
  for (const [name, figure] of Object.entries({ get, create, update })) {
    if (figure.load.errors > 0) {
      log(`  ${name}: ${figure.load.errors} errors, first: ${figure.load.firstError}`);
    }
  }
  return { get, create, update };
}
