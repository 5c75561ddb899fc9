import { KitTablesV2Migration } from '@nexus/db';

export class KitRequestIds1796279400000 extends KitTablesV2Migration {
  protected readonly schema = 'ai_usage';
}
