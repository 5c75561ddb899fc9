import { KitTables1795678000000 } from './1795678000000-kit-tables';
import { CreateReadModels1795680596339 } from './1795680596339-create-read-models';
import { KitRequestIds1796279400000 } from './1796279400000-kit-request-ids';
import { KitOutboxTraceparent1796315812800 } from './1796315812800-kit-outbox-traceparent';
import { KitChangeLog1796327285372 } from './1796327285372-kit-change-log';

/** Every migration of the analytics schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [
  KitTables1795678000000,
  CreateReadModels1795680596339,
  KitRequestIds1796279400000,
  KitOutboxTraceparent1796315812800,
  KitChangeLog1796327285372,
];
