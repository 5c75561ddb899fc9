import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MigrationClass } from './data-source';
import { KitTablesV1Migration } from './kit-tables.migration';
import { KitTablesV2Migration } from './kit-tables-v2.migration';
import { KitTablesV3Migration } from './kit-tables-v3.migration';
import { KitTablesV4Migration } from './kit-tables-v4.migration';

type KitVersion = abstract new () => MigrationInterface & {
  up(runner: QueryRunner): Promise<void>;
};

const VERSIONS: KitVersion[] = [
  KitTablesV1Migration,
  KitTablesV2Migration,
  KitTablesV3Migration,
  KitTablesV4Migration,
];

/**
 * Every version of the kit's tables for a scratch schema (tests, benches),
 * as migrations named `<prefix><timestamp + version - 1>`: what a service's
 * own migrations add one by one, so the outbox relay and the request-id
 * claim find the tables they use however many versions the kit has.
 */
export function kitTablesMigrations(
  schema: string,
  prefix: string,
  timestamp: number,
): MigrationClass[] {
  return VERSIONS.map((Version, index) => {
    const name = `${prefix}${timestamp + index}`;
    const Base = Version as unknown as new () => MigrationInterface;
    const named = {
      [name]: class extends Base {
        protected readonly schema = schema;
      },
    }[name];
    return named;
  });
}
