import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { UsersClient } from '@nexus/clients';
import { usersV1 } from '@nexus/proto';
import { median } from './stats';

export interface ListFigures {
  rows: number;
  depthRows: number;
  pageSize: number;
  /** Median milliseconds of ListUsers through the service. */
  firstPageMs: number;
  deepPageMs: number;
  /** Median milliseconds of the same ORDER BY with OFFSET, raw SQL. */
  offsetFirstMs: number;
  offsetDeepMs: number;
  pagingSeconds: number;
}

const PAGE_SIZE = 50;
const REPEATS = 30;
const ORDER = usersV1.UserOrderBy.USER_ORDER_BY_CREATE_TIME_DESC;

function listRequest(pageSize: number, pageToken: string): usersV1.ListUsersRequest {
  return usersV1.ListUsersRequest.fromPartial({ pageSize, pageToken, orderBy: ORDER });
}

async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Keyset paging stays flat with depth: the first page against a page
 * `depthRows` deep, both through the service (the deep token reached by
 * paging there 1000 rows at a time), against OFFSET on the same ORDER BY.
 */
export async function measureListPaging(options: {
  client: UsersClient;
  databaseUrl: string;
  rows: number;
  depthRows: number;
  log: (line: string) => void;
}): Promise<ListFigures> {
  const { client, depthRows } = options;
  const pagingStarted = performance.now();
  let token = '';
  for (let reached = 0; reached < depthRows;) {
    const size = Math.min(1000, depthRows - reached);
    const page = await client.listUsers(listRequest(size, token));
    token = page.nextPageToken;
    reached += page.users.length;
    if (!token) throw new Error(`ran out of users after ${reached} rows`);
  }
  const pagingSeconds = (performance.now() - pagingStarted) / 1000;
  options.log(`paged to row ${depthRows} in ${pagingSeconds.toFixed(1)} s`);

  const first: number[] = [];
  const deep: number[] = [];
  for (let i = 0; i < REPEATS; i += 1) {
    first.push(await timeMs(() => client.listUsers(listRequest(PAGE_SIZE, ''))));
    deep.push(await timeMs(() => client.listUsers(listRequest(PAGE_SIZE, token))));
  }

  const sql = new Client({ connectionString: options.databaseUrl });
  await sql.connect();
  const offsetFirst: number[] = [];
  const offsetDeep: number[] = [];
  try {
    const query = (offset: number) =>
      sql.query({
        name: 'bench-list-offset',
        text: `SELECT * FROM "users"."users" ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
        values: [PAGE_SIZE + 1, offset],
      });
    for (let i = 0; i < REPEATS; i += 1) {
      offsetFirst.push(await timeMs(() => query(0)));
      offsetDeep.push(await timeMs(() => query(depthRows)));
    }
  } finally {
    await sql.end();
  }
  const figures: ListFigures = {
    rows: options.rows,
    depthRows,
    pageSize: PAGE_SIZE,
    firstPageMs: median(first),
    deepPageMs: median(deep),
    offsetFirstMs: median(offsetFirst),
    offsetDeepMs: median(offsetDeep),
    pagingSeconds,
  };
  options.log(
    `ListUsers first ${figures.firstPageMs.toFixed(2)} ms, deep ${figures.deepPageMs.toFixed(2)} ms; ` +
      `OFFSET first ${figures.offsetFirstMs.toFixed(2)} ms, deep ${figures.offsetDeepMs.toFixed(2)} ms`,
  );
  return figures;
}
