import { isUuid } from '@nexus/core';
import { EVENT_TYPE, type JsonObject, type JsonValue } from '@nexus/db';
import { MalformedEventError, type PlatformEvent } from '@nexus/events';

/** A platform event analytics cannot read (wrong shape for its type): the kit dead-letters it. */
export class UnreadableEventError extends MalformedEventError {
  override name = 'UnreadableEventError';
}

/** The state of a task that "open" and "overdue now" are computed from. */
export interface TaskSnapshot {
  projectId: string;
  status: string;
  open: boolean;
  dueDate: string | null;
}

/** One change to a read model that an event causes, besides the per-type and actor counts. */
export type ReadModelEffect =
  | { model: 'documents'; kind: string; created: number; edited: number }
  | { model: 'emails'; sent: number }
  | { model: 'chat-messages'; roomId: string }
  | { model: 'tasks'; projectId: string; created: number; completed: number }
  | { model: 'task-state'; taskId: string; state: TaskSnapshot | null }
  | {
      model: 'ai-usage';
      aiModel: string;
      module: string;
      userId: string;
      currencyCode: string;
      inputTokens: number;
      outputTokens: number;
      totalTokens: number;
      cost: string;
    };

/** What analytics takes from one event. */
export interface ReadEvent {
  /** UTC day of ce_time. */
  day: string;
  type: string;
  actor: string | null;
  effects: ReadModelEffect[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const CLOSED_TASK = new Set(['TASK_STATUS_DONE', 'TASK_STATUS_CANCELLED']);

/**
 * Reads a platform event into read-model effects, or throws
 * UnreadableEventError. Resources are proto3 JSON, where default values are
 * omitted: a missing enum is its UNSPECIFIED value, a missing number 0.
 * Unknown fields are ignored; an unknown type or verb still counts per type.
 */
export function readEvent(event: PlatformEvent): ReadEvent {
  // The kit's spelling rule, the one every producer is held to (snake_case verbs).
  if (!EVENT_TYPE.test(event.type))
    throw new UnreadableEventError(
      `ce_type ${event.type} is not nexus.<service>.<aggregate>.<verb>`,
    );
  if (!event.type.startsWith(`${event.topic}.`)) {
    throw new UnreadableEventError(`ce_type ${event.type} does not belong on topic ${event.topic}`);
  }
  const { actor, before, after } = event.data;
  if (actor !== null && actor !== undefined && (typeof actor !== 'string' || !isUuid(actor))) {
    throw new UnreadableEventError('actor is neither null nor a user id');
  }
  if (!isResource(before) || !isResource(after)) {
    throw new UnreadableEventError('before and after must be resources or null');
  }
  const verb = event.type.slice(event.topic.length + 1);
  return {
    day: event.time.toISOString().slice(0, 10),
    type: event.type,
    actor: actor ?? null,
    effects: effectsOf(event.topic, verb, event.subject, before, after),
  };
}

function effectsOf(
  topic: string,
  verb: string,
  subject: string,
  before: JsonObject | null,
  after: JsonObject | null,
): ReadModelEffect[] {
  switch (topic) {
    case 'nexus.content.document':
      return documentEffects(verb, before, after);
    case 'nexus.comms.email':
      return becameStatus(before, after, 'EMAIL_STATUS_SENT') ? [{ model: 'emails', sent: 1 }] : [];
    case 'nexus.comms.chat-message':
      return verb === 'created' && after
        ? [{ model: 'chat-messages', roomId: uuidField(after, 'roomId') }]
        : [];
    case 'nexus.work.task':
      return taskEffects(verb, subject, before, after);
    case 'nexus.ai-usage.interaction':
      return verb === 'created' && after ? [interactionEffect(after)] : [];
    default:
      return [];
  }
}

function documentEffects(
  verb: string,
  before: JsonObject | null,
  after: JsonObject | null,
): ReadModelEffect[] {
  if (verb !== 'created' && verb !== 'updated') return [];
  const document = after ?? before;
  if (!document) throw new UnreadableEventError(`a document ${verb} event needs the document`);
  const kind = enumField(document, 'kind', 'DOCUMENT_KIND_UNSPECIFIED');
  return [
    {
      model: 'documents',
      kind,
      created: verb === 'created' ? 1 : 0,
      edited: verb === 'updated' ? 1 : 0,
    },
  ];
}

function taskEffects(
  verb: string,
  taskId: string,
  before: JsonObject | null,
  after: JsonObject | null,
): ReadModelEffect[] {
  if (!isUuid(taskId)) throw new UnreadableEventError('ce_subject of a task is not an id');
  if (!after) return [{ model: 'task-state', taskId, state: null }];
  const projectId = uuidField(after, 'projectId');
  const status = enumField(after, 'status', 'TASK_STATUS_UNSPECIFIED');
  const dueDate = optionalString(after, 'dueDate');
  if (dueDate && !DATE.test(dueDate)) throw new UnreadableEventError('dueDate is not YYYY-MM-DD');
  const effects: ReadModelEffect[] = [
    {
      model: 'task-state',
      taskId,
      state: { projectId, status, open: !CLOSED_TASK.has(status), dueDate: dueDate || null },
    },
  ];
  const created = verb === 'created' ? 1 : 0;
  const completed = becameStatus(before, after, 'TASK_STATUS_DONE') ? 1 : 0;
  if (created + completed > 0) effects.unshift({ model: 'tasks', projectId, created, completed });
  return effects;
}

function interactionEffect(after: JsonObject): ReadModelEffect {
  const inputTokens = count(after, 'inputTokens');
  const outputTokens = count(after, 'outputTokens');
  const total = count(after, 'totalTokens');
  const cost = after.cost ?? null;
  if (cost !== null && !isResource(cost)) throw new UnreadableEventError('cost is not Money');
  const amount = cost ? (optionalString(cost, 'amount') ?? '0') : '0';
  if (!DECIMAL.test(amount)) throw new UnreadableEventError('cost.amount is not a decimal');
  return {
    model: 'ai-usage',
    aiModel:
      optionalString(after, 'responseModel') || optionalString(after, 'requestModel') || 'unknown',
    module: enumField(after, 'module', 'MODULE_UNSPECIFIED'),
    userId: optionalString(after, 'userId') ?? '',
    currencyCode: (cost && optionalString(cost, 'currencyCode')) || 'USD',
    inputTokens,
    outputTokens,
    totalTokens: total || inputTokens + outputTokens,
    cost: amount,
  };
}

function becameStatus(
  before: JsonObject | null,
  after: JsonObject | null,
  status: string,
): boolean {
  return after?.status === status && before?.status !== status;
}

function isResource(value: JsonValue | undefined): value is JsonObject | null {
  return value === null || (typeof value === 'object' && !Array.isArray(value));
}

function optionalString(resource: JsonObject, field: string): string | undefined {
  const value = resource[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UnreadableEventError(`${field} is not a string`);
  return value;
}

function enumField(resource: JsonObject, field: string, unspecified: string): string {
  const value = optionalString(resource, field);
  if (value !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(value)) {
    throw new UnreadableEventError(`${field} is not an enum value name`);
  }
  return value || unspecified;
}

function uuidField(resource: JsonObject, field: string): string {
  const value = optionalString(resource, field);
  if (!value || !isUuid(value)) throw new UnreadableEventError(`${field} is not an id`);
  return value;
}

function count(resource: JsonObject, field: string): number {
  const value = resource[field] ?? 0;
  // int32 is a JSON number; int64 would be a string.
  const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < 0) {
    throw new UnreadableEventError(`${field} is not a count`);
  }
  return parsed;
}
