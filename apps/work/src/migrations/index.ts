import { KitTables1795678000000 } from './1795678000000-kit-tables';
import { CreateWork1795680308535 } from './1795680308535-create-work';
import { KitRequestIds1796279400000 } from './1796279400000-kit-request-ids';
import { SearchTasks1796314036949 } from './1796314036949-search-tasks';
import { KitOutboxTraceparent1796315812800 } from './1796315812800-kit-outbox-traceparent';
import { KitChangeLog1796327285372 } from './1796327285372-kit-change-log';
import { TaskCommentsActivity1796327612260 } from './1796327612260-task-comments-activity';

/** Every migration of the work schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [
  KitTables1795678000000,
  CreateWork1795680308535,
  KitRequestIds1796279400000,
  SearchTasks1796314036949,
  KitOutboxTraceparent1796315812800,
  KitChangeLog1796327285372,
  TaskCommentsActivity1796327612260,
];
