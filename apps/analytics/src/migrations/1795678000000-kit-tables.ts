import { KitTablesV1Migration } from '@nexus/db';

export class KitTables1795678000000 extends KitTablesV1Migration {
  protected readonly schema = 'analytics';
}
