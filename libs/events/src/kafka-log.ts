import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Failed responses a broker gives while it and its topics are being set up:
 * kafkajs logs each at ERROR and then retries it, and so does our code
 * (ensureTopics, the topic tail), so on a fresh start they are the sound of
 * things settling, not errors. Each is a request kind and the error text
 * kafkajs logs with it (its protocol error messages, kafkajs 2.2).
 */
const SETTLING: Readonly<Record<string, readonly string[]>> = {
  // Services create their topics side by side; all but one find them created.
  CreateTopics: ['Topic creation errors'],
  // The broker creates and loads __consumer_offsets on the first group join.
  GroupCoordinator: [
    'The group coordinator is not available',
    "The coordinator is loading and hence can't process requests for this group",
    'This is not the correct coordinator for this group',
  ],
  // The same for __transaction_state on the first transactional producer.
  InitProducerId: [
    'The group coordinator is not available',
    "The coordinator is loading and hence can't process requests for this group",
    'This is not the correct coordinator for this group',
  ],
  // A topic just created has no leader yet, or is not known to the broker yet.
  Metadata: [
    'This server does not host this topic-partition',
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
  ],
  ListOffsets: [
    'This server is not the leader for that topic-partition',
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
  ],
};

/** How long after a client is created those answers count as start-up. */
export const SETTLING_WINDOW_MS = 60_000;

/**
 * Whether a kafkajs ERROR line is one of the expected start-up answers
 * above, `ageMs` after its client was created. Later, the same answers
 * mean something is wrong (a broker lost, a topic deleted) and stay warnings.
 */
export function isStartupSettling(
  entry: Pick<LogEntry, 'namespace' | 'log'>,
  ageMs: number,
): boolean {
  if (ageMs > SETTLING_WINDOW_MS || entry.namespace !== 'Connection') return false;
  const request = /^Response (\w+)\(/.exec(entry.log.message)?.[1];
  const error = (entry.log as { error?: unknown }).error;
  return (
    request !== undefined &&
    typeof error === 'string' &&
    (SETTLING[request]?.includes(error) ?? false)
  );
}

/**
 * kafkajs' lines into the service's logger: its errors as warnings, the
 * expected start-up answers and everything else it says as debug.
 */
export function kafkaLogCreator(logger: Logger, now: () => number = Date.now): logCreator {
  const log = logger.child({ component: 'kafka' });
  const created = now();
  return () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    if (entry.level <= logLevel.ERROR && !isStartupSettling(entry, now() - created))
      log.warn(rest, message);
    else log.debug(rest, message);
  };
}
