import { EPHEMERAL_EVENTS, PLATFORM_EVENTS } from '@nexus/db';
import { deadLetterTopic } from '@nexus/events';

/** The topics of every aggregate the platform has, from the kit's catalogue of event types. */
export const PLATFORM_TOPICS: readonly string[] = Object.keys(PLATFORM_EVENTS);

const EPHEMERAL_TOPICS = Object.keys(EPHEMERAL_EVENTS).map((topic) => topic.replace(/\./g, '\\.'));

/**
 * Any other `nexus.<service>.<aggregate>` topic that exists when the consumer
 * starts, so a new service's events are counted without a change here; never
 * analytics' own, any service's dead-letter topic (`nexus.<service>.dlq`), nor
 * the topics of ephemeral signals (typing), which are not changes.
 */
export const OTHER_PLATFORM_TOPICS = new RegExp(
  `^(?!(${EPHEMERAL_TOPICS.join('|')})$)nexus\\.(?!analytics\\.)[a-z0-9-]+\\.(?!dlq$)[a-z0-9-]+$`,
);

export const DEAD_LETTER_TOPIC = deadLetterTopic('analytics');

/** Whether the consumer reads `topic` (what the subscription above matches). */
export function isPlatformTopic(topic: string): boolean {
  return PLATFORM_TOPICS.includes(topic) || OTHER_PLATFORM_TOPICS.test(topic);
}
