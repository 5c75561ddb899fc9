import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// The read models: counters keyed by UTC day (of the event's ce_time) and a
// dimension, plus the current state of tasks. Every table is rebuilt from the
// event log alone (rebuild.ts), so none holds anything the events do not.

/** Events per type per day, whatever the type (unknown verbs included). */
@Entity({ name: 'events_daily' })
export class EventsDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  type!: string;

  @Column({ type: 'bigint', default: 0 })
  events!: string;
}

/** Who did something on a day: any event with an actor. Active users = rows per day. */
@Entity({ name: 'active_users_daily' })
export class ActiveUserDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;
}

/** Documents created and edited per day, by kind. */
@Entity({ name: 'documents_daily' })
export class DocumentsDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  kind!: string;

  @Column({ type: 'integer', default: 0 })
  created!: number;

  @Column({ type: 'integer', default: 0 })
  edited!: number;
}

/** Emails sent per day (the sender's copy turning SENT). */
@Entity({ name: 'emails_daily' })
export class EmailsDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ type: 'integer', default: 0 })
  sent!: number;
}

/** Chat messages posted per room per day. */
@Entity({ name: 'chat_messages_daily' })
export class ChatMessagesDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'uuid' })
  @Index()
  roomId!: string;

  @Column({ type: 'integer', default: 0 })
  messages!: number;
}

/** Tasks created and completed per project per day. */
@Entity({ name: 'tasks_daily' })
export class TasksDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'uuid' })
  @Index()
  projectId!: string;

  @Column({ type: 'integer', default: 0 })
  created!: number;

  @Column({ type: 'integer', default: 0 })
  completed!: number;
}

/** The latest known state of every task, for "open" and "overdue now". */
@Entity({ name: 'task_states' })
@Index(['projectId', 'open'])
@Index(['open', 'dueDate'])
export class TaskState {
  @PrimaryColumn({ type: 'uuid' })
  taskId!: string;

  @Column({ type: 'uuid' })
  projectId!: string;

  @Column({ type: 'text' })
  status!: string;

  /** Neither done nor cancelled. */
  @Column({ type: 'boolean' })
  open!: boolean;

  @Column({ type: 'date', nullable: true })
  dueDate!: string | null;
}

/** AI tokens and cost per model, module and user per day (one currency per row). */
@Entity({ name: 'ai_usage_daily' })
@Index(['userId', 'day'])
@Index(['model', 'day'])
export class AiUsageDaily {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'text' })
  model!: string;

  @PrimaryColumn({ type: 'text' })
  module!: string;

  /** Text, not uuid: an interaction whose user was erased has none (''). */
  @PrimaryColumn({ type: 'text' })
  userId!: string;

  @PrimaryColumn({ type: 'text' })
  currencyCode!: string;

  @Column({ type: 'integer', default: 0 })
  interactions!: number;

  @Column({ type: 'bigint', default: 0 })
  inputTokens!: string;

  @Column({ type: 'bigint', default: 0 })
  outputTokens!: string;

  @Column({ type: 'bigint', default: 0 })
  totalTokens!: string;

  @Column({ type: 'numeric', precision: 20, scale: 9, default: 0 })
  cost!: string;
}

export const READ_MODEL_ENTITIES = [
  EventsDaily,
  ActiveUserDaily,
  DocumentsDaily,
  EmailsDaily,
  ChatMessagesDaily,
  TasksDaily,
  TaskState,
  AiUsageDaily,
];
