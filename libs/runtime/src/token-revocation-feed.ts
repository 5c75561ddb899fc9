import type { Logger } from 'pino';
import { tailTopics, type Kafka, type PlatformEvent, type TopicTail } from '@nexus/events';
import type { TokenRevocations } from '@nexus/grpc';

/** The users service's topics that say which tokens are void. */
export const REVOCATION_TOPICS = ['nexus.users.user', 'nexus.users.session'];

/** User events after which none of the user's earlier tokens may be used. */
const REVOKING_USER_EVENTS = new Set([
  'nexus.users.user.deleted',
  'nexus.users.user.password_changed',
  'nexus.users.user.signed_out',
]);
/** User fields a token stands for: a change to them voids earlier tokens. */
const TOKEN_FIELDS = new Set(['role', 'isActive']);

/** What an event of the users topics revokes, if anything (docs/security.md, Revocation). */
export function revocationOf(
  event: Pick<PlatformEvent, 'type' | 'subject' | 'time' | 'data'>,
): { userId: string; atMs: number } | { sessionId: string; atMs: number } | null {
  const atMs = event.time.getTime();
  if (event.type === 'nexus.users.session.ended') return { sessionId: event.subject, atMs };
  const revokesUser =
    REVOKING_USER_EVENTS.has(event.type) ||
    (event.type === 'nexus.users.user.updated' &&
      event.data.changed.some((field) => TOKEN_FIELDS.has(field)));
  return revokesUser ? { userId: event.subject, atMs } : null;
}

/**
 * Keeps `revocations` up to date from the users service's events, in this
 * process: replays the last `windowMs` (the longest a token lives), then
 * follows live. A service awaits `caughtUp` before it serves, so a replica
 * that starts late knows every revocation a token it may see could be under.
 */
export function followTokenRevocations(options: {
  kafka: Kafka;
  logger: Logger;
  service: string;
  revocations: TokenRevocations;
  windowMs: number;
}): Promise<TopicTail> {
  const { revocations } = options;
  return tailTopics({
    kafka: options.kafka,
    logger: options.logger,
    name: `nexus-${options.service}-revocations`,
    topics: REVOCATION_TOPICS,
    sinceMs: Date.now() - options.windowMs,
    onEvent: (event) => {
      const revocation = revocationOf(event);
      if (revocation === null) return;
      if ('userId' in revocation) revocations.revokeUser(revocation.userId, revocation.atMs);
      else revocations.endSession(revocation.sessionId, revocation.atMs);
    },
  });
}
