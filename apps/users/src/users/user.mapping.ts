import type { Role } from '@nexus/core';
import { etagOf } from '@nexus/db';
import { commonV1, type usersV1 } from '@nexus/proto';
import type { SignInState } from '../credentials/sign-in.store';
import type { UserEntity } from './user.entity';
import type { UserView } from './user.service';

const ROLE_TO_PROTO: Record<Role, commonV1.Role> = {
  admin: commonV1.Role.ROLE_ADMIN,
  manager: commonV1.Role.ROLE_MANAGER,
  user: commonV1.Role.ROLE_USER,
  guest: commonV1.Role.ROLE_GUEST,
};

/**
 * The user resource, never with the password hash: what events carry and
 * what a create answers. `signIn` adds the sign-in bookkeeping, which is kept
 * beside the resource (it has no version of its own).
 */
export function toUserMessage(user: UserEntity, signIn?: SignInState): usersV1.User {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    fullName: user.fullName,
    role: ROLE_TO_PROTO[user.role],
    preferences: user.preferences,
    isActive: user.isActive,
    emailVerified: user.emailVerified,
    lastLoginTime: signIn?.lastLoginAt ?? undefined,
    failedLoginCount: signIn?.failedLoginCount ?? 0,
    createTime: user.createdAt,
    updateTime: user.updatedAt,
    etag: etagOf(user),
  };
}

/** A user as the caller may see them: a colleague's view has no preferences and no sign-in bookkeeping. */
export function toUserViewMessage({ user, signIn }: UserView): usersV1.User {
  if (signIn) return toUserMessage(user, signIn);
  return { ...toUserMessage(user), preferences: undefined };
}
