// Change events: the outbox relay to Kafka, CloudEvents headers, and the
// consumer helper with exactly-once effects. kafkajs stays behind this lib.
export {
  MalformedEventError,
  parseEvent,
  toKafkaMessage,
  type ChangePayload,
  type OutboxRow,
  type PlatformEvent,
  type PositionedRow,
} from './cloud-event';
export {
  ChangeFeed,
  CursorExpiredError,
  type ChangeFeedOptions,
  type FeedListener,
} from './change-feed';
export { measureConsumerLag, type PartitionLag } from './consumer-lag';
export { DeadLetters, deadLetterTopic, type DeadLetterOrigin } from './dead-letter';
export {
  applyBatchOnce,
  applyOnce,
  runEventConsumer,
  type EventBatchHandler,
  type EventConsumerOptions,
  type EventHandler,
  type RunningConsumer,
} from './event-consumer';
export { EphemeralPublisher } from './ephemeral-publisher';
export { createKafka, ensureTopics, kafkaReachable, type Kafka } from './kafka';
export {
  EXACT_BACKLOG_LIMIT,
  measureOutboxBacklog,
  type OutboxBacklogSample,
} from './outbox-backlog';
export { OutboxRelay, type OutboxRelayOptions, type RelayState } from './outbox-relay';
export { tailTopics, type TopicTail, type TopicTailOptions } from './topic-tail';
