import type { Principal } from '@nexus/core';
import { CommsError } from '../comms.errors';
import type { ChatMemberEntity } from './chat-member.entity';
import type { ChatRoomEntity, RoomKind } from './chat-room.entity';
import { canRead, checkDeleteMessage, checkInvite, checkManage, directKey } from './chat-access';

const caller = (role: Principal['role'], userId = 'u1'): Principal => ({ role, userId, token: '' });
const roomOf = (kind: RoomKind) => ({ id: 'r', kind, deletedAt: null }) as ChatRoomEntity;
const member = (role: 'owner' | 'member') => ({ role }) as ChatMemberEntity;

describe('chat access', () => {
  it('lets anyone read channels but only members and admins read private rooms', () => {
    expect(canRead(caller('user'), roomOf('channel'), null)).toBe(true);
    expect(canRead(caller('user'), roomOf('private'), null)).toBe(false);
    expect(canRead(caller('user'), roomOf('private'), member('member'))).toBe(true);
    expect(canRead(caller('admin'), roomOf('direct'), null)).toBe(true);
  });

  it('lets owners and admins manage, not members or guests', () => {
    expect(() => checkManage(caller('user'), roomOf('private'), member('owner'))).not.toThrow();
    expect(() => checkManage(caller('admin'), roomOf('private'), null)).not.toThrow();
    expect(() => checkManage(caller('user'), roomOf('private'), member('member'))).toThrow(
      CommsError,
    );
    expect(() => checkManage(caller('guest'), roomOf('private'), member('owner'))).toThrow(
      'read-only',
    );
  });

  it('lets any channel member invite, only owners in private rooms, nobody into direct rooms', () => {
    expect(() => checkInvite(caller('user'), roomOf('channel'), member('member'))).not.toThrow();
    expect(() => checkInvite(caller('user'), roomOf('private'), member('member'))).toThrow(
      CommsError,
    );
    expect(() => checkInvite(caller('admin'), roomOf('direct'), null)).toThrow(
      'exactly its two users',
    );
  });

  it('lets the author, a room owner or an admin delete a message', () => {
    expect(() => checkDeleteMessage(caller('user', 'a'), 'a', member('member'))).not.toThrow();
    expect(() => checkDeleteMessage(caller('user', 'o'), 'a', member('owner'))).not.toThrow();
    expect(() => checkDeleteMessage(caller('admin', 'x'), 'a', null)).not.toThrow();
    expect(() => checkDeleteMessage(caller('user', 'm'), 'a', member('member'))).toThrow(
      CommsError,
    );
  });

  it('keys a direct room by the pair, whatever the order', () => {
    expect(directKey('b', 'a')).toBe(directKey('a', 'b'));
  });
});
