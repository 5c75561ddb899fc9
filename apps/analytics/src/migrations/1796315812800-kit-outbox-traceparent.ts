import { KitTablesV3Migration } from '@nexus/db';

export class KitOutboxTraceparent1796315812800 extends KitTablesV3Migration {
  protected readonly schema = 'analytics';
}
