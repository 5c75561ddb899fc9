/**
 * How event types are spelled, and which the platform publishes.
 * `ce_type` is `nexus.<service>.<aggregate>.<verb>`: service and aggregate in
 * kebab-case (`ai-usage`, `chat-message`), the verb in snake_case
 * (`created`, `password_changed`). Producers are held to it where events are
 * made (defineAggregate, Tx.emit), consumers read with the same patterns.
 */

/** A service or aggregate segment: kebab-case. */
export const NAME_SEGMENT = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A verb: snake_case, e.g. `created`, `password_changed`, `password_reset_requested`. */
export const EVENT_VERB = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** A whole event type, `nexus.<service>.<aggregate>.<verb>`. */
export const EVENT_TYPE = new RegExp(
  `^nexus\\.${bare(NAME_SEGMENT)}\\.${bare(NAME_SEGMENT)}\\.${bare(EVENT_VERB)}$`,
);

function bare(pattern: RegExp): string {
  return pattern.source.slice(1, -1);
}

/** Verbs every aggregate may publish. */
export const STANDARD_VERBS = ['created', 'updated', 'deleted', 'restored'] as const;

/**
 * Every aggregate of the platform with the verbs it publishes besides the
 * standard ones. An aggregate of one of these services must be listed here
 * and may emit only these verbs (Tx.emit refuses others): so consumers, and
 * the test that every type reaches analytics unharmed, know every type there
 * is. A new verb or aggregate is one line here.
 */
export const PLATFORM_EVENTS: Readonly<Record<string, readonly string[]>> = {
  // signed_out: every session of the user ended (SignOutEverywhere).
  // password_reset_requested: a reset token was issued; the value's `delivery` is sealed for the mail sender.
  'nexus.users.user': ['password_changed', 'signed_out', 'password_reset_requested'],
  'nexus.users.session': ['refreshed', 'ended'],
  'nexus.content.document': [],
  // A version marked or unmarked keep-forever (updated), pruned by retention (deleted).
  'nexus.content.document-version': [],
  // resolved/reopened: a thread of comments; mentioned: one per user a comment mentions.
  'nexus.content.document-comment': ['resolved', 'reopened', 'mentioned'],
  'nexus.content.file': ['downloaded'],
  'nexus.content.folder': [],
  // downloaded: a download through the link (download_count one higher); never the token or password.
  'nexus.content.link-share': ['downloaded'],
  'nexus.content.attachment-grant': [],
  'nexus.comms.email': ['sent'],
  'nexus.comms.mailbox': [],
  'nexus.comms.chat-room': [],
  // updated: a member read the room (MarkRoomRead); keyed by the room.
  'nexus.comms.read-marker': [],
  // mentioned: one per user a message newly mentions; reaction_added/removed: one user's
  // reaction (the message's counts change); pinned/unpinned: the message's pin.
  'nexus.comms.chat-message': [
    'mentioned',
    'reaction_added',
    'reaction_removed',
    'pinned',
    'unpinned',
  ],
  'nexus.work.project': [],
  'nexus.work.task': ['completed'],
  // mentioned: one per user a comment mentions; the value's `after` is a nexus.common.v1.Mention.
  'nexus.work.task-comment': ['mentioned'],
  'nexus.ai-usage.interaction': [],
  'nexus.ai-usage.model-price': [],
  'nexus.ai-usage.budget': ['exceeded'],
};

/**
 * Signals that are not changes, published without the outbox (libs/events
 * EphemeralPublisher): no change log position, not replayed, skipped by
 * analytics. Their values have the change shape with `after` the signal.
 */
export const EPHEMERAL_EVENTS: Readonly<Record<string, readonly string[]>> = {
  // started: a user is typing in a room (SendTyping); `after` is a nexus.comms.v1.TypingIndicator.
  'nexus.comms.typing': ['started'],
};

/**
 * The proto message (full name) that `before` and `after` of each platform
 * topic's events carry in proto3 JSON: the message its aggregate's
 * `toResource` returns. The AsyncAPI contract (docs/asyncapi.yaml) takes the
 * payload schemas from it; its test holds each aggregate to its entry.
 */
export const PLATFORM_RESOURCES: Readonly<Record<string, string>> = {
  'nexus.users.user': 'nexus.users.v1.User',
  'nexus.users.session': 'nexus.users.v1.Session',
  'nexus.content.document': 'nexus.content.v1.Document',
  'nexus.content.document-version': 'nexus.content.v1.DocumentVersion',
  'nexus.content.document-comment': 'nexus.content.v1.Comment',
  'nexus.content.file': 'nexus.content.v1.File',
  'nexus.content.folder': 'nexus.content.v1.Folder',
  'nexus.content.link-share': 'nexus.content.v1.LinkShare',
  'nexus.content.attachment-grant': 'nexus.content.v1.AttachmentGrant',
  'nexus.comms.email': 'nexus.comms.v1.Email',
  'nexus.comms.mailbox': 'nexus.comms.v1.Mailbox',
  'nexus.comms.chat-room': 'nexus.comms.v1.ChatRoom',
  'nexus.comms.read-marker': 'nexus.comms.v1.ReadMarker',
  'nexus.comms.chat-message': 'nexus.comms.v1.ChatMessage',
  'nexus.work.project': 'nexus.work.v1.Project',
  'nexus.work.task': 'nexus.work.v1.Task',
  'nexus.work.task-comment': 'nexus.work.v1.TaskComment',
  'nexus.ai-usage.interaction': 'nexus.aiusage.v1.AiInteraction',
  'nexus.ai-usage.model-price': 'nexus.aiusage.v1.ModelPrice',
  'nexus.ai-usage.budget': 'nexus.aiusage.v1.Budget',
};

/**
 * Verbs whose `after` is not the topic's resource but a message the kit
 * writes the same way on every topic: `mentioned` (Tx.emitMentions) carries
 * the common Mention (who, where, never the text). The AsyncAPI contract
 * takes these events' payload from here.
 */
export const VERB_RESOURCES: Readonly<Record<string, string>> = {
  mentioned: 'nexus.common.v1.Mention',
};

/** The proto message `before`/`after` of `verb` on `topic` carry. */
export function eventResource(topic: string, verb: string): string | undefined {
  return VERB_RESOURCES[verb] ?? PLATFORM_RESOURCES[topic];
}

const PLATFORM_SERVICES = new Set(Object.keys(PLATFORM_EVENTS).map((t) => t.split('.')[1]));

/** Every event type the platform publishes (`<topic>.<verb>`), the standard verbs included. */
export function platformEventTypes(): string[] {
  return Object.entries(PLATFORM_EVENTS).flatMap(([topic, verbs]) =>
    [...STANDARD_VERBS, ...verbs].map((verb) => `${topic}.${verb}`),
  );
}

/**
 * The topic of an aggregate, checked: kebab-case segments, and listed in
 * PLATFORM_EVENTS when the service is one of the platform's. Throws at
 * definition, so a misspelt aggregate never starts.
 */
export function aggregateTopic(service: string, name: string): string {
  for (const segment of [service, name]) {
    if (!NAME_SEGMENT.test(segment)) {
      throw new Error(`aggregate segment "${segment}" is not kebab-case (${NAME_SEGMENT.source})`);
    }
  }
  // `nexus.<service>.dlq` is where the service's consumers dead-letter (@nexus/events).
  if (name === 'dlq') throw new Error('"dlq" is reserved for dead-letter topics');
  const topic = `nexus.${service}.${name}`;
  if (PLATFORM_SERVICES.has(service) && !(topic in PLATFORM_EVENTS)) {
    throw new Error(`${topic} is not in PLATFORM_EVENTS (libs/db/src/event-type.ts): add it there`);
  }
  return topic;
}

/**
 * The ce_type of `verb` on `topic`. Throws on a verb that is not snake_case,
 * or, for a platform aggregate, one PLATFORM_EVENTS does not list: the first
 * emit of it fails in the service's own tests, never at a consumer.
 */
export function eventType(topic: string, verb: string): string {
  if (!EVENT_VERB.test(verb)) {
    throw new Error(`event verb "${verb}" is not snake_case (${EVENT_VERB.source})`);
  }
  const domainVerbs = PLATFORM_EVENTS[topic];
  if (
    domainVerbs &&
    !(STANDARD_VERBS as readonly string[]).includes(verb) &&
    !domainVerbs.includes(verb)
  ) {
    throw new Error(
      `${topic} does not publish "${verb}": list it in PLATFORM_EVENTS (libs/db/src/event-type.ts)`,
    );
  }
  return `${topic}.${verb}`;
}
