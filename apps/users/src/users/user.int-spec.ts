import { generateKeyPairSync } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commonV1, usersV1 } from '@nexus/proto';
import { EventCollector, grpcError, signTestToken } from '@nexus/testing';
import { PASSWORD, startUsers, uniqueUser, type UsersHarness } from '../testing/users-harness';

let users: UsersHarness;
let events: EventCollector;

beforeAll(async () => {
  users = await startUsers();
  events = await EventCollector.start(['nexus.users.user']);
});

afterAll(async () => {
  await events.stop();
  await users.stop();
});

const asUser = (token: string) => ({ token });
const emailTaken = async (email: string, token: string) =>
  (
    await users.client.listUsers(
      usersV1.ListUsersRequest.fromPartial({ emailPrefix: email }),
      asUser(token),
    )
  ).users.length > 0;

describe('CreateUser', () => {
  it('signs up without a token as a plain, active, unverified user', async () => {
    const draft = uniqueUser({ email: 'Mixed.Case-' + uniqueUser().email });
    const user = await users.client.createUser({ user: draft, password: PASSWORD, requestId: '' });
    expect(user).toMatchObject({
      email: draft.email.toLowerCase(),
      username: draft.username,
      role: commonV1.Role.ROLE_USER,
      isActive: true,
      emailVerified: false,
      etag: '"1"',
    });
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(JSON.stringify(user)).not.toContain('argon2');
  });

  it('refuses self sign-up with another role and writes nothing', async () => {
    const draft = uniqueUser({ role: commonV1.Role.ROLE_ADMIN });
    const error = await grpcError(
      users.client.createUser({ user: draft, password: PASSWORD, requestId: '' }),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.fields).toEqual(['user.role']);
    expect(await emailTaken(draft.email, users.adminToken)).toBe(false);
  });

  it('reports every malformed field at once and writes nothing', async () => {
    const email = `not-an-email-${Date.now()}`;
    const error = await grpcError(
      users.client.createUser({
        user: usersV1.User.fromPartial({
          email,
          username: 'x',
          fullName: '',
          role: 99 as commonV1.Role,
        }),
        password: 'short',
        requestId: 'not-a-uuid',
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual(
      [
        'password',
        'request_id',
        'user.email',
        'user.full_name',
        'user.role',
        'user.username',
      ].sort(),
    );
    expect(await emailTaken(email, users.adminToken)).toBe(false);
  });

  it('rejects over-long fields and a missing user', async () => {
    const tooLong = await grpcError(
      users.client.createUser({
        user: uniqueUser({ fullName: 'x'.repeat(201) }),
        password: PASSWORD,
        requestId: '',
      }),
    );
    expect(tooLong.code).toBe(status.INVALID_ARGUMENT);
    expect(tooLong.fields).toEqual(['user.full_name']);
    const missing = await grpcError(users.client.createUser({ password: PASSWORD, requestId: '' }));
    expect(missing.fields).toEqual(['user']);
  });

  it('treats emails as case-insensitive and unique, and usernames as unique', async () => {
    const first = await users.signUp();
    const sameEmail = await grpcError(
      users.client.createUser({
        user: uniqueUser({ email: first.user.email.toUpperCase() }),
        password: PASSWORD,
        requestId: '',
      }),
    );
    expect(sameEmail).toMatchObject({
      code: status.ALREADY_EXISTS,
      reason: 'EMAIL_TAKEN',
      fields: ['user.email'],
    });
    const sameUsername = await grpcError(
      users.client.createUser({
        user: uniqueUser({ username: first.user.username }),
        password: PASSWORD,
        requestId: '',
      }),
    );
    expect(sameUsername).toMatchObject({ code: status.ALREADY_EXISTS, fields: ['user.username'] });
  });

  it('returns the first user for a retried create with the same request id', async () => {
    const requestId =
      '0190a1b2-c3d4-7e5f-8a9b-' + Date.now().toString(16).padStart(12, '0').slice(-12);
    const draft = uniqueUser();
    const [a, b] = await Promise.all([
      users.client.createUser({ user: draft, password: PASSWORD, requestId }),
      users.client.createUser({ user: draft, password: PASSWORD, requestId }),
    ]);
    expect(b.id).toBe(a.id);
    await events.waitForSubject(a.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.about(a.id).filter((e) => e.type === 'nexus.users.user.created')).toHaveLength(1);
  });

  it('refuses an anonymous replay of a sign-up that does not carry its password, revealing nothing', async () => {
    const requestId = uuidv7();
    const draft = uniqueUser();
    const first = await users.client.createUser({ user: draft, password: PASSWORD, requestId });
    const stranger = await grpcError(
      users.client.createUser({ user: draft, password: 'a guess, not the password', requestId }),
    );
    expect(stranger).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['request_id'] });
    expect(stranger.details).not.toContain(first.id);
    // The one who signed up still gets their account back.
    expect((await users.client.createUser({ user: draft, password: PASSWORD, requestId })).id).toBe(
      first.id,
    );
  });

  it('lets admins create any role and forbids everyone else to create with a token', async () => {
    const manager = await users.client.createUser(
      { user: uniqueUser({ role: commonV1.Role.ROLE_MANAGER }), password: PASSWORD, requestId: '' },
      asUser(users.adminToken),
    );
    expect(manager.role).toBe(commonV1.Role.ROLE_MANAGER);
    const plain = await users.signUp();
    const error = await grpcError(
      users.client.createUser(
        { user: uniqueUser(), password: PASSWORD, requestId: '' },
        asUser(plain.token),
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it('refuses sign-up when it is switched off', async () => {
    const closed = await startUsers({ SELF_SIGNUP_ENABLED: 'false' });
    try {
      const error = await grpcError(
        closed.client.createUser({ user: uniqueUser(), password: PASSWORD, requestId: '' }),
      );
      expect(error).toMatchObject({ code: status.PERMISSION_DENIED, reason: 'SIGNUP_DISABLED' });
    } finally {
      await closed.stop();
    }
  });
});

describe('authentication of calls', () => {
  it('requires a token to read the directory', async () => {
    const { user } = await users.signUp();
    expect((await grpcError(users.client.getUser({ id: user.id }))).code).toBe(
      status.UNAUTHENTICATED,
    );
  });

  it('refuses tokens that are forged, expired or malformed', async () => {
    const { user } = await users.signUp();
    const otherKey = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const forged = signTestToken({ role: 'admin', key: otherKey });
    const expired = signTestToken({ role: 'admin', issuedAt: Date.now() - 3_600_000 });
    for (const token of [forged, expired, 'not.a.token']) {
      expect((await grpcError(users.client.getUser({ id: user.id }, asUser(token)))).code).toBe(
        status.UNAUTHENTICATED,
      );
    }
  });
});

describe('GetUser and BatchGetUsers', () => {
  it('returns users in the order asked, and NOT_FOUND for an unknown id', async () => {
    const a = await users.signUp();
    const b = await users.signUp();
    const batch = await users.client.batchGetUsers(
      { ids: [b.user.id, a.user.id] },
      asUser(a.token),
    );
    expect(batch.users.map((u) => u.id)).toEqual([b.user.id, a.user.id]);
    const unknown = '01900000-0000-7000-8000-000000000000';
    const error = await grpcError(
      users.client.batchGetUsers({ ids: [a.user.id, unknown] }, asUser(a.token)),
    );
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toContain(unknown);
    expect((await grpcError(users.client.getUser({ id: 'abc' }, asUser(a.token)))).fields).toEqual([
      'id',
    ]);
  });
});

describe('ListUsers', () => {
  const prefix = `lst${Date.now().toString(36)}`;
  let reader: string;

  beforeAll(async () => {
    reader = (await users.signUp()).token;
    for (let i = 0; i < 5; i += 1) {
      await users.signUp({ username: `${prefix}-${i}`, email: `${prefix}-${i}@example.com` });
    }
    await users.signUp({
      username: `${prefix}-guest`,
      email: `${prefix}-guest@example.com`,
      role: commonV1.Role.ROLE_GUEST,
    });
  });

  it('walks every match exactly once with keyset pages', async () => {
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await users.client.listUsers(
        usersV1.ListUsersRequest.fromPartial({
          namePrefix: prefix,
          pageSize: 2,
          pageToken,
          orderBy: usersV1.UserOrderBy.USER_ORDER_BY_USERNAME_ASC,
          includeTotalSize: true,
        }),
        asUser(reader),
      );
      expect(page.totalSize).toBe(6);
      seen.push(...page.users.map((u) => u.username));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`).concat(`${prefix}-guest`));
  });

  it('filters by role and by email prefix, treating wildcards literally', async () => {
    const guests = await users.client.listUsers(
      usersV1.ListUsersRequest.fromPartial({ namePrefix: prefix, role: commonV1.Role.ROLE_GUEST }),
      asUser(reader),
    );
    expect(guests.users.map((u) => u.username)).toEqual([`${prefix}-guest`]);
    const wildcard = await users.client.listUsers(
      usersV1.ListUsersRequest.fromPartial({ emailPrefix: '%' }),
      asUser(reader),
    );
    expect(wildcard.users).toHaveLength(0);
  });

  it('rejects tampered, replayed and out-of-range paging input', async () => {
    const first = await users.client.listUsers(
      usersV1.ListUsersRequest.fromPartial({ namePrefix: prefix, pageSize: 2 }),
      asUser(reader),
    );
    const [body, signature] = first.nextPageToken.split('.');
    const tamperedBody = Buffer.from(
      Buffer.from(body, 'base64url')
        .toString()
        .replace(/"i":"[^"]+"/, '"i":"00000000-0000-7000-8000-000000000000"'),
    ).toString('base64url');
    const attempts = [
      { namePrefix: prefix, pageSize: 2, pageToken: `${tamperedBody}.${signature}` },
      { namePrefix: `${prefix}-1`, pageSize: 2, pageToken: first.nextPageToken },
      { namePrefix: prefix, pageSize: 2, pageToken: 'garbage' },
    ];
    for (const attempt of attempts) {
      const error = await grpcError(
        users.client.listUsers(usersV1.ListUsersRequest.fromPartial(attempt), asUser(reader)),
      );
      expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['page_token'] });
    }
    const negative = await grpcError(
      users.client.listUsers(
        usersV1.ListUsersRequest.fromPartial({ pageSize: -1 }),
        asUser(reader),
      ),
    );
    expect(negative.fields).toEqual(['page_size']);
    const badOrder = await grpcError(
      users.client.listUsers(
        usersV1.ListUsersRequest.fromPartial({ orderBy: 42 as usersV1.UserOrderBy }),
        asUser(reader),
      ),
    );
    expect(badOrder.fields).toEqual(['order_by']);
  });
});

describe('UpdateUser', () => {
  const update = (user: Partial<usersV1.User>, updateMask: string[]) =>
    usersV1.UpdateUserRequest.fromPartial({ user, updateMask });

  it('lets users change their own profile, with a new etag each time', async () => {
    const me = await users.signUp();
    const updated = await users.client.updateUser(
      update(
        {
          id: me.user.id,
          etag: me.user.etag,
          fullName: 'New Name',
          preferences: { theme: 'dark' },
        },
        ['full_name', 'preferences'],
      ),
      asUser(me.token),
    );
    expect(updated).toMatchObject({ fullName: 'New Name', preferences: { theme: 'dark' } });
    expect(updated.etag).not.toBe(me.user.etag);
  });

  it('answers ABORTED on a stale etag and changes nothing', async () => {
    const me = await users.signUp();
    const error = await grpcError(
      users.client.updateUser(
        update({ id: me.user.id, etag: '"7"', fullName: 'Lost' }, ['full_name']),
        asUser(me.token),
      ),
    );
    expect(error.code).toBe(status.ABORTED);
    expect((await users.client.getUser({ id: me.user.id }, asUser(me.token))).fullName).toBe(
      me.user.fullName,
    );
  });

  it('lets exactly one of two writers with the same etag win', async () => {
    const me = await users.signUp();
    const attempt = (fullName: string) =>
      users.client
        .updateUser(
          update({ id: me.user.id, etag: me.user.etag, fullName }, ['full_name']),
          asUser(me.token),
        )
        .then(
          () => 'won',
          (error: Pick<ServiceError, 'code'>) =>
            error.code === status.ABORTED ? 'aborted' : `failed ${error.code}`,
        );
    const outcomes = await Promise.all([attempt('Writer A'), attempt('Writer B')]);
    expect(outcomes.sort()).toEqual(['aborted', 'won']);
  });

  it('forbids users to change their own role or active flag, or anyone else', async () => {
    const me = await users.signUp();
    const other = await users.signUp();
    const ownRole = await grpcError(
      users.client.updateUser(
        update({ id: me.user.id, etag: me.user.etag, role: commonV1.Role.ROLE_ADMIN }, ['role']),
        asUser(me.token),
      ),
    );
    expect(ownRole).toMatchObject({ code: status.PERMISSION_DENIED, fields: ['user.role'] });
    const someoneElse = await grpcError(
      users.client.updateUser(
        update({ id: other.user.id, fullName: 'Hijacked' }, ['full_name']),
        asUser(me.token),
      ),
    );
    expect(someoneElse.code).toBe(status.PERMISSION_DENIED);
    const after = await users.client.getUser({ id: me.user.id }, asUser(me.token));
    expect(after.role).toBe(commonV1.Role.ROLE_USER);
    expect(after.etag).toBe(me.user.etag);
  });

  it('keeps guests read-only', async () => {
    const guest = await users.signUp({ role: commonV1.Role.ROLE_GUEST });
    const error = await grpcError(
      users.client.updateUser(
        update({ id: guest.user.id, fullName: 'Guest' }, ['full_name']),
        asUser(guest.token),
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it('rejects an empty or unknown update mask', async () => {
    const me = await users.signUp();
    for (const mask of [[], ['password_hash']]) {
      const error = await grpcError(
        users.client.updateUser(update({ id: me.user.id }, mask), asUser(me.token)),
      );
      expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['update_mask'] });
    }
  });

  it('lets admins change roles, and unverifies a changed email', async () => {
    const target = await users.signUp();
    const updated = await users.client.updateUser(
      update({ id: target.user.id, role: commonV1.Role.ROLE_MANAGER, email: uniqueUser().email }, [
        'role',
        'email',
      ]),
      asUser(users.adminToken),
    );
    expect(updated).toMatchObject({ role: commonV1.Role.ROLE_MANAGER, emailVerified: false });
  });
});

describe('DeleteUser and UndeleteUser', () => {
  it('deactivates by default, refuses sign-in, and admins reactivate', async () => {
    const me = await users.signUp();
    const { user } = await users.client.deleteUser(
      { id: me.user.id, etag: '', hard: false },
      asUser(me.token),
    );
    expect(user?.isActive).toBe(false);
    const signIn = await grpcError(
      users.client.authenticate({ login: me.user.email, password: PASSWORD }),
    );
    expect(signIn).toMatchObject({ code: status.PERMISSION_DENIED, reason: 'ACCOUNT_INACTIVE' });
    // Not by a user: another one's token (the deactivated user's own is revoked by
    // then, or about to be: UNAUTHENTICATED, TOKEN_REVOKED, on every service).
    const other = await users.signUp();
    expect(
      (await grpcError(users.client.undeleteUser({ id: me.user.id }, asUser(other.token)))).code,
    ).toBe(status.PERMISSION_DENIED);
    const restored = await users.client.undeleteUser({ id: me.user.id }, asUser(users.adminToken));
    expect(restored.isActive).toBe(true);
  });

  it('erases the row only for admins', async () => {
    const me = await users.signUp();
    const byUser = await grpcError(
      users.client.deleteUser({ id: me.user.id, etag: '', hard: true }, asUser(me.token)),
    );
    expect(byUser.code).toBe(status.PERMISSION_DENIED);
    const erased = await users.client.deleteUser(
      { id: me.user.id, etag: '', hard: true },
      asUser(users.adminToken),
    );
    expect(erased.user).toBeUndefined();
    const gone = await grpcError(
      users.client.getUser({ id: me.user.id }, asUser(users.adminToken)),
    );
    expect(gone.code).toBe(status.NOT_FOUND);
  });
});

describe('change events', () => {
  it('publishes created and updated events with CloudEvents headers and no secrets', async () => {
    const me = await users.signUp();
    await users.client.updateUser(
      usersV1.UpdateUserRequest.fromPartial({
        user: { id: me.user.id, fullName: 'Evented' },
        updateMask: ['full_name'],
      }),
      asUser(me.token),
    );
    const received = await events.waitFor(() =>
      events.about(me.user.id).some((e) => e.data.after?.fullName === 'Evented'),
    );
    const mine = received.filter((e) => e.subject === me.user.id);
    const created = mine.find((e) => e.type === 'nexus.users.user.created')!;
    expect(created.key).toBe(me.user.id);
    expect(created.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'nexus.users.user.created',
      ce_source: '/nexus/users',
      ce_subject: me.user.id,
      'content-type': 'application/json',
    });
    expect(created.headers.ce_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.data).toMatchObject({
      before: null,
      actor: null,
      after: { id: me.user.id, email: me.user.email },
    });
    const updated = mine.find((e) => e.data.after?.fullName === 'Evented')!;
    expect(updated.type).toBe('nexus.users.user.updated');
    expect(updated.data).toMatchObject({ changed: ['fullName'], actor: me.user.id });
    expect(updated.data.before?.fullName).toBe(me.user.fullName);
    for (const event of mine) {
      expect(JSON.stringify(event.data)).not.toMatch(/argon2|passwordHash|password_hash/);
    }
  });
});
