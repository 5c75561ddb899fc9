import { KitTablesV4Migration } from '@nexus/db';

export class KitChangeLog1796327285372 extends KitTablesV4Migration {
  protected readonly schema = 'content';
}
