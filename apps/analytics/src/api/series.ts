/**
 * The read models as the HTTP API offers them: per endpoint, the dimensions a
 * caller may group by, the figures it gets, and the filters it may set. Only
 * these names ever reach SQL (as fixed column expressions); values are
 * parameters.
 */
export interface SeriesSpec {
  path: string;
  table: string;
  /** API name -> column. `day` is the date dimension every dated series has. */
  dimensions: Record<string, string>;
  /** API name -> aggregate; `decimal` figures stay strings (money), the others are numbers. */
  metrics: Record<string, { sql: string; decimal?: boolean }>;
  /** Query parameter -> column, compared for equality. */
  filters: Record<string, { column: string; uuid?: boolean }>;
  defaultGroupBy: string[];
  /** Dimensions always grouped by whatever the caller asks (cost is per currency). */
  alwaysGroupBy?: string[];
}

const sum = (column: string) => ({ sql: `SUM(${column})::bigint` });

export const SERIES: SeriesSpec[] = [
  {
    path: 'events',
    table: 'events_daily',
    dimensions: { day: 'day', type: 'type' },
    metrics: { events: sum('events') },
    filters: { type: { column: 'type' } },
    defaultGroupBy: ['day', 'type'],
  },
  {
    path: 'active-users',
    table: 'active_users_daily',
    dimensions: { day: 'day' },
    metrics: { activeUsers: { sql: 'COUNT(DISTINCT user_id)::bigint' } },
    filters: { user_id: { column: 'user_id', uuid: true } },
    defaultGroupBy: ['day'],
  },
  {
    path: 'documents',
    table: 'documents_daily',
    dimensions: { day: 'day', kind: 'kind' },
    metrics: { created: sum('created'), edited: sum('edited') },
    filters: { kind: { column: 'kind' } },
    defaultGroupBy: ['day', 'kind'],
  },
  {
    path: 'emails',
    table: 'emails_daily',
    dimensions: { day: 'day' },
    metrics: { sent: sum('sent') },
    filters: {},
    defaultGroupBy: ['day'],
  },
  {
    path: 'chat-messages',
    table: 'chat_messages_daily',
    dimensions: { day: 'day', room: 'room_id' },
    metrics: { messages: sum('messages') },
    filters: { room_id: { column: 'room_id', uuid: true } },
    defaultGroupBy: ['day', 'room'],
  },
  {
    path: 'tasks',
    table: 'tasks_daily',
    dimensions: { day: 'day', project: 'project_id' },
    metrics: { created: sum('created'), completed: sum('completed') },
    filters: { project_id: { column: 'project_id', uuid: true } },
    defaultGroupBy: ['day', 'project'],
  },
  {
    path: 'ai-usage',
    table: 'ai_usage_daily',
    dimensions: {
      day: 'day',
      model: 'model',
      module: 'module',
      user: 'user_id',
      currency: 'currency_code',
    },
    metrics: {
      interactions: sum('interactions'),
      inputTokens: sum('input_tokens'),
      outputTokens: sum('output_tokens'),
      totalTokens: sum('total_tokens'),
      cost: { sql: 'trim_scale(SUM(cost))::text', decimal: true },
    },
    filters: {
      model: { column: 'model' },
      module: { column: 'module' },
      user_id: { column: 'user_id' },
    },
    defaultGroupBy: ['day', 'model'],
    alwaysGroupBy: ['currency'],
  },
];
