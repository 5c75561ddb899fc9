import { commonV1, usersV1 } from '@nexus/proto';
import { grpcError } from '@nexus/testing';
import { startUsers, type SignedUp, type UsersHarness } from '../testing/users-harness';

let users: UsersHarness;
let owner: SignedUp;
let colleague: SignedUp;
let manager: SignedUp;
let guest: SignedUp;

const asUser = (token: string) => ({ token });
const PREFERENCES = { theme: 'dark', notifications: { email: false } };

beforeAll(async () => {
  users = await startUsers();
  owner = await users.signUp({ preferences: PREFERENCES });
  // One wrong password after the sign-in: every private field has a value to leak.
  await grpcError(users.client.authenticate({ login: owner.user.email, password: 'wrong guess!' }));
  colleague = await users.signUp();
  manager = await users.signUp({ role: commonV1.Role.ROLE_MANAGER });
  guest = await users.signUp({ role: commonV1.Role.ROLE_GUEST });
});

afterAll(async () => {
  await users.stop();
});

/** What every reader sees: who the user is and whether the account is usable. */
function directoryCard(user: usersV1.User) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    fullName: user.fullName,
    role: user.role,
    isActive: user.isActive,
    emailVerified: user.emailVerified,
    createTime: user.createTime,
    updateTime: user.updateTime,
    etag: user.etag,
  };
}

function expectColleagueView(seen: usersV1.User) {
  expect(seen).toEqual({
    ...directoryCard(owner.user),
    preferences: undefined,
    lastLoginTime: undefined,
    failedLoginCount: 0,
  });
}

function expectFullView(seen: usersV1.User) {
  expect(seen).toEqual({
    ...directoryCard(owner.user),
    preferences: PREFERENCES,
    lastLoginTime: owner.user.lastLoginTime,
    failedLoginCount: 1,
  });
}

/** A plain user, a manager and a guest: roles that read the directory but are not the owner. */
const colleagueTokens = () => [colleague.token, manager.token, guest.token];
/** The user themself and an admin. */
const insiderTokens = () => [owner.token, users.adminToken];

describe("reading someone else's account", () => {
  it('GetUser shows colleagues no preferences and no sign-in bookkeeping', async () => {
    for (const token of colleagueTokens()) {
      expectColleagueView(await users.client.getUser({ id: owner.user.id }, asUser(token)));
    }
    for (const token of insiderTokens()) {
      expectFullView(await users.client.getUser({ id: owner.user.id }, asUser(token)));
    }
  });

  it('BatchGetUsers shows each user as the caller may see them', async () => {
    const { users: seen } = await users.client.batchGetUsers(
      { ids: [owner.user.id, colleague.user.id] },
      asUser(colleague.token),
    );
    expectColleagueView(seen[0]);
    expect(seen[1]).toMatchObject({ id: colleague.user.id });
    expect(seen[1].lastLoginTime).toEqual(colleague.user.lastLoginTime);
    for (const token of insiderTokens()) {
      const { users: full } = await users.client.batchGetUsers(
        { ids: [owner.user.id] },
        asUser(token),
      );
      expectFullView(full[0]);
    }
  });

  it('ListUsers shows colleagues no preferences and no sign-in bookkeeping', async () => {
    const request = usersV1.ListUsersRequest.fromPartial({ emailPrefix: owner.user.email });
    for (const token of colleagueTokens()) {
      const { users: seen } = await users.client.listUsers(request, asUser(token));
      expect(seen).toHaveLength(1);
      expectColleagueView(seen[0]);
    }
    for (const token of insiderTokens()) {
      const { users: seen } = await users.client.listUsers(request, asUser(token));
      expect(seen).toHaveLength(1);
      expectFullView(seen[0]);
    }
  });

  it('ListUsers mixes views in one page: the caller in full, everyone else as colleagues', async () => {
    const { users: page } = await users.client.listUsers(
      usersV1.ListUsersRequest.fromPartial({ pageSize: 1000 }),
      asUser(colleague.token),
    );
    const self = page.find((u) => u.id === colleague.user.id)!;
    expect(self.lastLoginTime).toEqual(colleague.user.lastLoginTime);
    const others = page.filter((u) => u.id !== colleague.user.id);
    expect(others.length).toBeGreaterThanOrEqual(3);
    for (const other of others) {
      expect(other).toMatchObject({ lastLoginTime: undefined, failedLoginCount: 0 });
      expect(other.preferences).toBeUndefined();
    }
  });
});
