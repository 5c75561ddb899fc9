import { Client as GrpcClient, Metadata, credentials, status } from '@grpc/grpc-js';
import { contentV1 } from '@nexus/proto';
import { Client } from 'pg';
import { ROLES, type Role } from '@nexus/core';
import { provisionServiceRoles } from '@nexus/stack';
import type { TestUser } from '@nexus/testing';
import { ACCESS, expected, type AccessRule, type Expect } from './access-table';
import { createFixtures, type Fixtures } from './fixtures';
import { checkIdempotency, takesRequestId } from './idempotency-check';
import {
  SERVICE_PROTOS,
  allMethods,
  invalidTokens,
  invoke,
  judgedMethods,
  revokedAdminToken,
  startPlatform,
  type Platform,
  type RpcMethod,
} from './platform';
import { RawClient, codeName, type Outcome } from './raw-call';

const BROKEN = [status.INTERNAL, status.UNKNOWN, status.UNIMPLEMENTED, status.DATA_LOSS];
/** Bytes no request message decodes from (a field tag with wire type 7). */
const UNDECODABLE = Buffer.from([0x0f, 0xff, 0xff]);

let platform: Platform;
const clients = new Map<string, RawClient>();
/** Every unary RPC and every Watch (called up to its first item or status). */
const unary = judgedMethods();
const streaming = allMethods().filter((m) => !unary.some((u) => u.path === m.path));

beforeAll(async () => {
  platform = await startPlatform();
  for (const [service, app] of Object.entries(platform.apps))
    clients.set(service, new RawClient(app.grpcAddress));
}, 180_000);

afterAll(async () => {
  for (const client of clients.values()) client.close();
  await platform?.stop();
});

function call(method: RpcMethod, request: object, token?: string): Promise<Outcome> {
  const payload = Buffer.from(method.request.encode(method.request.fromPartial(request)).finish());
  return invoke(clients.get(method.service)!, method, payload, token);
}

function onlyEmptyLists(method: RpcMethod, outcome: Outcome): boolean {
  const response = method.def.responseDeserialize(outcome.response!) as Record<string, unknown>;
  return Object.values(response).every((value) => !Array.isArray(value) || value.length === 0);
}

function satisfies(method: RpcMethod, outcome: Outcome, expect: Expect): boolean {
  if (BROKEN.includes(outcome.code)) return false;
  switch (expect) {
    case 'empty':
      return outcome.code === status.OK && onlyEmptyLists(method, outcome);
    case 'unauthenticated':
      return outcome.code === status.UNAUTHENTICATED;
    case 'denied':
      return outcome.code === status.PERMISSION_DENIED || outcome.code === status.NOT_FOUND;
    case 'pass':
      return outcome.code !== status.UNAUTHENTICATED && outcome.code !== status.PERMISSION_DENIED;
  }
}

/**
 * The fixtures and caller of a row that revokes the owner's tokens: a new
 * owner of its own (the caller when the role column is the owner's).
 */
async function withOwnOwner(
  fx: Fixtures,
  caller: TestUser,
  role: string,
): Promise<{ fx: Fixtures; caller: TestUser }> {
  const owner = await platform.signUp('user');
  return { fx: { ...fx, owner }, caller: role === 'user' ? owner : caller };
}

const ordered = (): [RpcMethod, AccessRule][] =>
  Object.entries(ACCESS).map(([p, rule]) => [unary.find((m) => m.path === p)!, rule]);

describe('the access matrix', () => {
  it('has one row for every unary RPC and every Watch of every gRPC service, and no stale rows', () => {
    expect(Object.keys(ACCESS).sort()).toEqual(unary.map((m) => m.path).sort());
    // The other streaming RPCs (content's UploadFile, DownloadFile, DownloadSharedFile) are checked below.
    expect(streaming.map((m) => m.name).sort()).toEqual([
      'DownloadFile',
      'DownloadSharedFile',
      'UploadFile',
    ]);
  });

  it('answers every RPC with no token, an expired token, a foreign key, a revoked token or no token and a bad request by UNAUTHENTICATED unless it is public', async () => {
    const owner = await platform.signUp('user');
    const fx = await createFixtures(platform, owner, await platform.signUp('user'));
    const bad = invalidTokens(owner.user.id);
    const revoked = await revokedAdminToken(platform);
    const failures: string[] = [];
    for (const [method, rule] of ordered()) {
      const request = rule.request(fx, owner);
      const cases: [string, string | undefined, Expect][] = [
        ['no token', undefined, rule.access === 'public' ? 'pass' : 'unauthenticated'],
        // A token that is presented is checked even on a public RPC.
        ['expired token', bad.expired, 'unauthenticated'],
        ['foreign key', bad.foreignKey, 'unauthenticated'],
        // An admin's, so that no role rule could be what refuses it.
        ['revoked token', revoked, 'unauthenticated'],
        ['malformed header', 'not a jwt', 'unauthenticated'],
      ];
      for (const [label, token, expect] of cases) {
        const outcome = await call(method, request, token);
        if (!satisfies(method, outcome, expect))
          failures.push(
            `${method.path} ${label}: ${codeName(outcome.code)} (${outcome.details}), expected ${expect}`,
          );
      }
      // The token is checked before the request: a stranger learns nothing of what is wrong with it.
      const garbage = await invoke(clients.get(method.service)!, method, UNDECODABLE);
      const expect = rule.access === 'public' ? status.INVALID_ARGUMENT : status.UNAUTHENTICATED;
      if (garbage.code !== expect)
        failures.push(
          `${method.path} no token, undecodable request: ${codeName(garbage.code)} (${garbage.details}), expected ${codeName(expect)}`,
        );
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('gives each role exactly what the table says, never INTERNAL, and guests never write', async () => {
    const rows = new Map<string, Record<string, string>>();
    const failures: string[] = [];
    for (const role of ROLES) {
      // A fresh owner (the "user" column's caller) and fresh resources per role.
      const owner = await platform.signUp('user');
      const caller: TestUser =
        role === 'user' ? owner : role === 'admin' ? platform.admin : await platform.signUp(role);
      const fx: Fixtures = await createFixtures(platform, owner, await platform.signUp('user'));
      for (const [method, rule] of ordered()) {
        const expect = expected(rule, role);
        const row = rule.ownOwner ? await withOwnOwner(fx, caller, role) : { fx, caller };
        const outcome = await call(method, rule.request(row.fx, row.caller), row.caller.token);
        const cells = rows.get(method.path) ?? {};
        cells[role] = codeName(outcome.code);
        rows.set(method.path, cells);
        if (!satisfies(method, outcome, expect))
          failures.push(
            `${method.path} as ${role}: ${codeName(outcome.code)} (${outcome.details}), expected ${expect}`,
          );
      }
    }
    printMatrix(rows);
    expect(failures).toEqual([]);
  }, 300_000);
});

describe('request ids (AIP-155), for every RPC that takes one', () => {
  const keyed = ordered().filter(([method]) => takesRequestId(method));

  it('are declared: each such row says how to ask for something else', () => {
    expect(keyed.length).toBeGreaterThanOrEqual(14);
    expect(keyed.filter(([, rule]) => !rule.another).map(([m]) => m.path)).toEqual([]);
  });

  it('replay for their owner, and are refused to anyone else and for another request, writing nothing', async () => {
    const owner = await platform.signUp('user');
    const fx = await createFixtures(platform, owner, await platform.signUp('user'));
    const admin = await platform.signUp('admin');
    const failures: string[] = [];
    const seen: string[] = [];
    for (const [method, rule] of keyed) {
      // The first caller is one the table lets through; the second another caller who may call it.
      const first = rule.access === 'public' ? null : rule.access === 'admin' ? admin : owner;
      const second = rule.access === 'public' || rule.access === 'admin' ? platform.admin : admin;
      const result = await checkIdempotency(
        call,
        method,
        rule.request(fx, first ?? owner),
        rule.another!(fx, first ?? owner),
        SERVICE_PROTOS[method.service].schema,
        first,
        second,
      );
      failures.push(...result.failures);
      seen.push(`${method.path}: another caller got ${result.strangerSaw}`);
    }
    console.log(`request ids\n${seen.join('\n')}`);
    expect(failures).toEqual([]);
  }, 180_000);
});

function printMatrix(rows: Map<string, Record<string, string>>): void {
  const lines = [...rows].map(
    ([p, row]) =>
      `${p.replace('/nexus.', '').padEnd(58)} ${ROLES.map((r: Role) => `${r}=${row[r]}`.padEnd(28)).join('')}`,
  );
  console.log(`access matrix (observed; expectations in access-table.ts)\n${lines.join('\n')}`);
}

describe('streaming RPCs', () => {
  it('refuse UploadFile and DownloadFile without a valid token', async () => {
    const { FileServiceService } = contentV1;
    const bad = invalidTokens('00000000-0000-7000-8000-000000000000');
    const client = new GrpcClient(platform.apps.content.grpcAddress, credentials.createInsecure());
    const meta = (token?: string) => {
      const m = new Metadata();
      if (token) m.set('authorization', `Bearer ${token}`);
      return m;
    };
    try {
      for (const token of [undefined, bad.expired, bad.foreignKey]) {
        const upload = await new Promise<number>((resolve) => {
          const d = FileServiceService.uploadFile;
          const stream = client.makeClientStreamRequest(
            d.path,
            d.requestSerialize,
            d.responseDeserialize,
            meta(token),
            (error) => resolve(error ? error.code : status.OK),
          );
          stream.write({
            payload: {
              $case: 'metadata',
              value: {
                name: 'x.txt',
                mimeType: 'text/plain',
                isPublic: false,
                sha256: '',
                requestId: '',
                folderId: '',
              },
            },
          });
          stream.write({ payload: { $case: 'chunk', value: Buffer.from('x') } });
          stream.end();
        });
        expect(codeName(upload)).toBe('UNAUTHENTICATED');
        const download = await new Promise<number>((resolve) => {
          const d = FileServiceService.downloadFile;
          const stream = client.makeServerStreamRequest(
            d.path,
            d.requestSerialize,
            d.responseDeserialize,
            { id: '00000000-0000-7000-8000-000000000000' },
            meta(token),
          );
          stream.on('data', () => undefined);
          stream.on('error', (error: { code: number }) => resolve(error.code));
          stream.on('end', () => resolve(status.OK));
        });
        expect(codeName(download)).toBe('UNAUTHENTICATED');
      }
      // DownloadSharedFile is public (the link's token is the credential): without
      // a bearer token an unknown link is NOT_FOUND; a bad bearer token is still refused.
      for (const [token, expected] of [
        [undefined, 'NOT_FOUND'],
        [bad.expired, 'UNAUTHENTICATED'],
        [bad.foreignKey, 'UNAUTHENTICATED'],
      ] as const) {
        const shared = await new Promise<number>((resolve) => {
          const d = FileServiceService.downloadSharedFile;
          const stream = client.makeServerStreamRequest(
            d.path,
            d.requestSerialize,
            d.responseDeserialize,
            { token: 'x'.repeat(43), password: '' },
            meta(token),
          );
          stream.on('data', () => undefined);
          stream.on('error', (error: { code: number }) => resolve(error.code));
          stream.on('end', () => resolve(status.OK));
        });
        expect(codeName(shared)).toBe(expected);
      }
    } finally {
      client.close();
    }
  });
});

describe("each service's database role (infra/db/roles.sql, provisioned as npm start does)", () => {
  it("reads its own schema and cannot read any other service's", async () => {
    const ownerUrl = process.env.DATABASE_URL!;
    const admin = new Client({ connectionString: ownerUrl });
    await admin.connect();
    const schemas = Object.values(SERVICE_PROTOS).map((s) => s.schema);
    try {
      const roleUrls = await provisionServiceRoles(ownerUrl, schemas);
      const results: string[] = [];
      for (const own of schemas) {
        const client = new Client({ connectionString: roleUrls[own] });
        await client.connect();
        try {
          const table = async (schema: string) =>
            (
              await admin.query<{ name: string }>(
                `SELECT table_name AS name FROM information_schema.tables
                  WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY 1 LIMIT 1`,
                [schema],
              )
            ).rows[0].name;
          await expect(
            client.query(`SELECT count(*) FROM "${own}"."${await table(own)}"`),
          ).resolves.toBeDefined();
          for (const other of schemas.filter((s) => s !== own)) {
            const error = await client
              .query(`SELECT count(*) FROM "${other}"."${await table(other)}"`)
              .then(
                () => null,
                (e: Error) => e,
              );
            results.push(`${own} -> ${other}: ${error ? error.message : 'READ ALLOWED'}`);
          }
          // Nor may it create anything in public.
          const created = await client.query('CREATE TABLE public.intruder (id int)').then(
            () => null,
            (e: Error) => e,
          );
          results.push(`${own} -> public: ${created ? created.message : 'CREATE ALLOWED'}`);
        } finally {
          await client.end();
        }
      }
      expect(results.filter((r) => !/permission denied/.test(r))).toEqual([]);
      expect(results).toHaveLength(schemas.length * schemas.length);
    } finally {
      await admin.end();
    }
  });
});
