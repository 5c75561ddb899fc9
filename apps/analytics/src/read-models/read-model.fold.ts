import type { ReadEvent, TaskSnapshot } from '../consumer/event-reader';

// What a run of events does to the read models, summed in memory so that it
// is written with one statement per table, whatever the number of events.
// Counters add up (addition commutes, so the sum is what one-by-one upserts
// leave); a task's state is the last one seen, as events of one task arrive
// in order (key = task id).

export interface EventsRow {
  day: string;
  type: string;
  events: number;
}
export interface ActiveUserRow {
  day: string;
  userId: string;
}
export interface DocumentsRow {
  day: string;
  kind: string;
  created: number;
  edited: number;
}
export interface EmailsRow {
  day: string;
  sent: number;
}
export interface ChatMessagesRow {
  day: string;
  roomId: string;
  messages: number;
}
export interface TasksRow {
  day: string;
  projectId: string;
  created: number;
  completed: number;
}
export interface AiUsageRow {
  day: string;
  model: string;
  module: string;
  userId: string;
  currencyCode: string;
  interactions: number;
  inputTokens: bigint;
  outputTokens: bigint;
  totalTokens: bigint;
  /** In units of 10^-9, the column's scale (numeric(20,9)). */
  costNanos: bigint;
}

/**
 * The folded changes, each map keyed by its table's primary key. Rows come
 * out sorted by that key (`rowsOf`), so every transaction locks rows of a
 * table in the same order and concurrent partitions cannot deadlock.
 */
export class ReadModelChanges {
  readonly events = new Map<string, EventsRow>();
  readonly activeUsers = new Map<string, ActiveUserRow>();
  readonly documents = new Map<string, DocumentsRow>();
  readonly emails = new Map<string, EmailsRow>();
  readonly chatMessages = new Map<string, ChatMessagesRow>();
  readonly tasks = new Map<string, TasksRow>();
  /** The latest state per task id; null: the task was deleted. */
  readonly taskStates = new Map<string, TaskSnapshot | null>();
  readonly aiUsage = new Map<string, AiUsageRow>();
}

/** The rows of a folded table in key order. */
export function rowsOf<T>(table: Map<string, T>): T[] {
  return [...table.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
}

/** Folds events, in the order applied, into per-table rows. */
export function foldReadEvents(events: Iterable<ReadEvent>): ReadModelChanges {
  const changes = new ReadModelChanges();
  for (const event of events) foldReadEvent(changes, event);
  return changes;
}

function foldReadEvent(changes: ReadModelChanges, event: ReadEvent): void {
  const { day } = event;
  add(changes.events, key(day, event.type), { day, type: event.type, events: 0 }).events += 1;
  if (event.actor) {
    const userId = uuidKey(event.actor);
    add(changes.activeUsers, key(day, userId), { day, userId });
  }
  for (const effect of event.effects) {
    switch (effect.model) {
      case 'documents': {
        const row = add(changes.documents, key(day, effect.kind), {
          day,
          kind: effect.kind,
          created: 0,
          edited: 0,
        });
        row.created += effect.created;
        row.edited += effect.edited;
        break;
      }
      case 'emails':
        add(changes.emails, day, { day, sent: 0 }).sent += effect.sent;
        break;
      case 'chat-messages': {
        const roomId = uuidKey(effect.roomId);
        add(changes.chatMessages, key(day, roomId), { day, roomId, messages: 0 }).messages += 1;
        break;
      }
      case 'tasks': {
        const projectId = uuidKey(effect.projectId);
        const row = add(changes.tasks, key(day, projectId), {
          day,
          projectId,
          created: 0,
          completed: 0,
        });
        row.created += effect.created;
        row.completed += effect.completed;
        break;
      }
      case 'task-state':
        changes.taskStates.set(uuidKey(effect.taskId), effect.state);
        break;
      case 'ai-usage': {
        const row = add(
          changes.aiUsage,
          key(day, effect.aiModel, effect.module, effect.userId, effect.currencyCode),
          {
            day,
            model: effect.aiModel,
            module: effect.module,
            userId: effect.userId,
            currencyCode: effect.currencyCode,
            interactions: 0,
            inputTokens: 0n,
            outputTokens: 0n,
            totalTokens: 0n,
            costNanos: 0n,
          },
        );
        row.interactions += 1;
        row.inputTokens += BigInt(effect.inputTokens);
        row.outputTokens += BigInt(effect.outputTokens);
        row.totalTokens += BigInt(effect.totalTokens);
        row.costNanos += toNanos(effect.cost);
        break;
      }
      default: {
        const unreachable: never = effect;
        throw new Error(`unhandled effect ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/** The row under `rowKey`, created from `initial` when missing. */
function add<T>(table: Map<string, T>, rowKey: string, initial: T): T {
  const row = table.get(rowKey);
  if (row) return row;
  table.set(rowKey, initial);
  return initial;
}

/**
 * A uuid column's value as PostgreSQL compares it: ids may arrive in upper
 * case, and two spellings of one id must fold into one row (an upsert may not
 * touch a row twice).
 */
function uuidKey(id: string): string {
  return id.toLowerCase();
}

/** A composite key; NUL cannot occur in the parts (PostgreSQL text refuses it). */
function key(...parts: string[]): string {
  return parts.join('\u0000');
}

const SCALE = 9;
const UNIT = 10n ** BigInt(SCALE);

/**
 * A decimal (`-?\d+(\.\d+)?`, checked by readEvent) in units of 10^-9,
 * rounded half away from zero as PostgreSQL rounds a value stored in a
 * numeric(20,9) column: the sum then equals adding the stored values one by one.
 */
export function toNanos(decimal: string): bigint {
  const negative = decimal.startsWith('-');
  const [whole, fraction = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const kept = fraction.slice(0, SCALE).padEnd(SCALE, '0');
  let nanos = BigInt(whole) * UNIT + BigInt(kept);
  if (fraction.length > SCALE && fraction.charCodeAt(SCALE) >= '5'.charCodeAt(0)) nanos += 1n;
  return negative ? -nanos : nanos;
}

/** Units of 10^-9 as a decimal string with nine places, for a numeric parameter. */
export function fromNanos(nanos: bigint): string {
  const negative = nanos < 0n;
  const magnitude = negative ? -nanos : nanos;
  const text = `${magnitude / UNIT}.${String(magnitude % UNIT).padStart(SCALE, '0')}`;
  return negative ? `-${text}` : text;
}
