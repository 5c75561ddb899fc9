/** The topics of every aggregate the platform has (ARCHITECTURE.md, Change events). */
export const PLATFORM_TOPICS = [
  'nexus.users.user',
  'nexus.content.document',
  'nexus.content.file',
  'nexus.comms.email',
  'nexus.comms.chat-room',
  'nexus.comms.chat-message',
  'nexus.work.project',
  'nexus.work.task',
  'nexus.ai-usage.interaction',
  'nexus.ai-usage.budget',
] as const;

/**
 * Any other `nexus.<service>.<aggregate>` topic that exists when the consumer
 * starts, so a new service's events are counted without a change here; never
 * analytics' own (its dead-letter topic).
 */
export const OTHER_PLATFORM_TOPICS = /^nexus\.(?!analytics\.)[a-z0-9-]+\.[a-z0-9-]+$/;

export const DEAD_LETTER_TOPIC = 'nexus.analytics.dlq';

/** Whether the consumer reads `topic` (what the subscription above matches). */
export function isPlatformTopic(topic: string): boolean {
  return (
    (PLATFORM_TOPICS as readonly string[]).includes(topic) || OTHER_PLATFORM_TOPICS.test(topic)
  );
}
