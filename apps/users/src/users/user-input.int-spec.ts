import { status } from '@grpc/grpc-js';
import { usersV1 } from '@nexus/proto';
import { captureStdout, grpcError, refuseWrites } from '@nexus/testing';
import { PASSWORD, startUsers, uniqueUser, type UsersHarness } from '../testing/users-harness';

let users: UsersHarness;

beforeAll(async () => {
  // Logging on (tests run silent), so the log can be scanned.
  users = await startUsers({ LOG_LEVEL: 'error' });
});

afterAll(async () => {
  await users.stop();
});

const emailTaken = async (email: string) =>
  (
    await users.client.listUsers(usersV1.ListUsersRequest.fromPartial({ emailPrefix: email }), {
      token: users.adminToken,
    })
  ).users.length > 0;

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < depth; level += 1) value = { level: value };
  return value;
}

describe('CreateUser preferences (JSON stored as jsonb)', () => {
  it.each([
    ['a NUL in a key', { 'a\u0000b': 1 }, 'user.preferences["a\\u0000b"]'],
    ['a NUL in a nested key', { theme: { 'x\u0000': true } }, 'user.preferences.theme["x\\u0000"]'],
    ['a NUL in a nested value', { list: [{ v: 'a\u0000' }] }, 'user.preferences.list[0].v'],
    ['NaN', { size: Number.NaN }, 'user.preferences["size"]'],
    [
      'Infinity in a list',
      { sizes: [1, Number.POSITIVE_INFINITY] },
      'user.preferences["sizes"][1]',
    ],
    // Deeper than the decoder's own limit: refused as an undecodable request.
    ['33 levels of nesting', nested(33), expect.stringMatching(/^(request|user\.preferences\[)/)],
  ])(
    'refuses %s with INVALID_ARGUMENT naming the spot, and writes nothing',
    async (_, preferences, field) => {
      const draft = uniqueUser({ preferences });
      const error = await grpcError(
        users.client.createUser({ user: draft, password: PASSWORD, requestId: '' }),
      );
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.fields).toEqual([field]);
      expect(await emailTaken(draft.email)).toBe(false);
    },
  );

  it('stores 32 levels of nesting, unicode keys and finite numbers as given', async () => {
    const preferences = { deep: nested(31), 'ключ 😀': [0.5, -1e300, 'текст'] };
    const user = await users.client.createUser({
      user: uniqueUser({ preferences }),
      password: PASSWORD,
      requestId: '',
    });
    expect(user.preferences).toEqual(preferences);
  });
});

describe('a write the database refuses', () => {
  it('answers INTERNAL and logs neither the password, its hash, the email nor a token', async () => {
    const lift = await refuseWrites({
      schema: 'users',
      table: 'users',
      column: 'username',
      prefix: 'refuse-',
    });
    const logs = captureStdout();
    const draft = uniqueUser();
    draft.username = `refuse-${draft.username}`;
    try {
      const error = await grpcError(
        users.client.createUser({ user: draft, password: PASSWORD, requestId: '' }),
      );
      expect(error.code).toBe(status.INTERNAL);
    } finally {
      logs.stop();
      await lift();
    }
    const lines = logs.lines();
    const failures = lines.filter((line) => line.includes('unexpected error'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0])).toMatchObject({
      err: { type: 'QueryFailedError', code: 'P0001', routine: 'exec_stmt_raise' },
    });
    const text = lines.join('\n');
    for (const secret of [
      PASSWORD,
      'argon2',
      draft.email,
      draft.username,
      draft.fullName,
      users.adminToken,
      users.adminToken.split('.')[2],
      'refused row',
    ])
      expect(text).not.toContain(secret);
  });
});
