import { lookUpUsers } from '@nexus/clients';
import { commonV1 } from '@nexus/proto';
import { startUsersProcess, type UsersProcess } from './users-process';

describe('startUsersProcess', () => {
  let users: UsersProcess;
  beforeAll(async () => {
    users = await startUsersProcess();
  }, 90_000);
  afterAll(async () => users.stop());

  it('runs a users service whose admin can sign users up and deactivate them', async () => {
    expect(users.admin.user.role).toBe(commonV1.Role.ROLE_ADMIN);
    const guest = await users.signUp(commonV1.Role.ROLE_GUEST);
    expect(guest.user.role).toBe(commonV1.Role.ROLE_GUEST);
    await users.deactivate(guest.user.id);
    const after = await users.client.getUser({ id: guest.user.id }, { token: users.admin.token });
    expect(after.isActive).toBe(false);
  });

  it('looks users up, telling unknown and deactivated ids apart', async () => {
    const active = await users.signUp();
    const gone = await users.signUp();
    await users.deactivate(gone.user.id);
    const unknown = '01900000-0000-7000-8000-00000000beef';
    const lookup = await lookUpUsers(users.client, [active.user.id, unknown, gone.user.id], {
      token: active.token,
    });
    expect([...lookup.found.keys()].sort()).toEqual([active.user.id, gone.user.id].sort());
    expect(lookup.missing).toEqual([unknown]);
    expect(lookup.inactive).toEqual([gone.user.id]);
  });
});
