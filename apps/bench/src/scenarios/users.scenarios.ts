import { uuidv7 } from '@nexus/core';
import { commonV1, usersV1 } from '@nexus/proto';
import { seedUsers } from '../raw-postgres';
import { outboxRow, type Statement } from '../raw-sql';
import { own, spread, type Scenario } from '../scenario';

export const BENCH_PASSWORD = 'correct horse battery staple';

// The columns the service's prepared by-id read selects (TypeORM's entity columns).
const USER_BY_ID = `SELECT id, created_at, updated_at, version, email, username, password_hash,
  full_name, role, preferences, is_active, email_verified FROM "users"."users" WHERE id = $1 LIMIT 1`;

const signInState = (id: string): Statement => ({
  name: 'bench-user-sign-in',
  text: `SELECT user_id, failed_login_count, last_login_at FROM "users"."sign_in_states"
         WHERE user_id IN ($1)`,
  values: [id],
});

function createRequest(tag: string): usersV1.CreateUserRequest {
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

/** An admin reads users: the row and its sign-in state (which an admin sees). */
export const getUser: Scenario = {
  name: 'GetUser',
  service: 'users',
  reference: { kind: 'h', bound: 0.75 },
  rawWork: 'the user row by id, its sign-in state',
  seed: async ({ databaseUrl, tag }) => {
    const ids = await seedUsers(databaseUrl, 1000, `${tag}g`);
    return {
      call: async (clients, _tag, worker, n) => {
        await clients.users.getUser({ id: spread(ids, worker, n) });
      },
      sample: async (clients) => {
        const reply = await clients.users.getUser({ id: ids[0] });
        return {
          request: usersV1.GetUserRequest.encode({ id: ids[0] }).finish(),
          reply: usersV1.User.encode(reply).finish(),
        };
      },
      raw: (sql, _tag, worker, n) => {
        const id = spread(ids, worker, n);
        return sql.run(worker, [
          { name: 'bench-user-by-id', text: USER_BY_ID, values: [id], rows: 1 },
          signInState(id),
        ]);
      },
    };
  },
};

/** An admin renames users, each caller its own (no lock waits): the write path without hashing. */
export const updateUser: Scenario = {
  name: 'UpdateUser',
  service: 'users',
  reference: { kind: 'h', bound: 0.65 },
  rawWork:
    'BEGIN, the row FOR NO KEY UPDATE, UPDATE full_name + version, outbox row, COMMIT, sign-in state',
  seed: async ({ databaseUrl, concurrency, tag }) => {
    const ids = await seedUsers(databaseUrl, concurrency, `${tag}u`);
    const request = (worker: number, name: string): usersV1.UpdateUserRequest => ({
      user: usersV1.User.fromPartial({ id: own(ids, worker), fullName: name }),
      updateMask: ['full_name'],
    });
    let resource: unknown = {};
    return {
      call: async (clients, tag, worker, n) => {
        await clients.users.updateUser(request(worker, `Renamed ${tag} ${n}`));
      },
      sample: async (clients, tag) => {
        const body = request(0, `Renamed ${tag}`);
        const reply = await clients.users.updateUser(body);
        resource = usersV1.User.toJSON(reply);
        return {
          request: usersV1.UpdateUserRequest.encode(body).finish(),
          reply: usersV1.User.encode(reply).finish(),
        };
      },
      raw: async (sql, tag, worker, n) => {
        const id = own(ids, worker);
        const fullName = `Raw ${tag} ${n}`;
        await sql.transaction(worker, [
          {
            name: 'bench-user-lock',
            text: `${USER_BY_ID} FOR NO KEY UPDATE`,
            values: [id],
            rows: 1,
          },
          {
            name: 'bench-user-rename',
            text: `UPDATE "users"."users" SET full_name = $1, version = version + 1,
                     updated_at = CURRENT_TIMESTAMP WHERE id = $2 RETURNING updated_at, version`,
            values: [fullName, id],
            rows: 1,
          },
          outboxRow(
            'users',
            {
              topic: 'nexus.users.user',
              type: 'nexus.users.user.updated',
              source: '/nexus/users',
              key: id,
            },
            { before: resource, after: { ...(resource as object), id, fullName }, actor: null },
            uuidv7(),
          ),
        ]);
        await sql.run(worker, [signInState(id)]);
      },
    };
  },
};

/** Sign-up: argon2id by design, held against hashing alone rather than H. */
export const createUser: Scenario = {
  name: 'CreateUser',
  service: 'users',
  reference: { kind: 'argon2id', bound: 0.9 },
  rawWork: 'argon2id alone (m = 19 MiB, t = 2, p = 1), same concurrency, own process',
  seed: async () => ({
    call: async (clients, tag, worker, n) => {
      await clients.users.createUser(createRequest(`${tag}-${worker}-${n}`));
    },
    sample: async (clients, tag) => {
      const body = createRequest(`${tag}-sample`);
      const reply = await clients.users.createUser(body);
      return {
        request: usersV1.CreateUserRequest.encode(body).finish(),
        reply: usersV1.User.encode(reply).finish(),
      };
    },
  }),
};
