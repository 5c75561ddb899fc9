import type { usersV1 } from '@nexus/proto';
import type { SessionEntity } from './session.entity';
import { expiryOf } from './session-lifetime';

/**
 * The Session resource: what the API returns and what events carry. Never
 * the refresh token nor its hash (nor those of used ones). `currentId` is
 * the caller's own session (its access token's `sid`); events have none.
 */
export function toSessionMessage(session: SessionEntity, currentId?: string): usersV1.Session {
  return {
    id: session.id,
    userId: session.userId,
    client: session.client,
    createTime: session.createdAt,
    lastUseTime: session.lastUsedAt,
    expireTime: expiryOf(session),
    endTime: session.endedAt ?? undefined,
    endReason: session.endReason ?? '',
    current: currentId !== undefined && currentId === session.id,
  };
}
