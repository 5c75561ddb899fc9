import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Version 2 of the kit's tables: a request id records who used it, with which
 * method and for which request, so that only that caller's replay of that
 * request gets its result. Ids claimed before (no owner recorded) are refused
 * to everyone, which is the safe reading of a key with unknown owner.
 */
export abstract class KitTablesV2Migration implements MigrationInterface {
  protected abstract readonly schema: string;

  async up(runner: QueryRunner): Promise<void> {
    const table = `"${this.schema}"."request_ids"`;
    await runner.query(`ALTER TABLE ${table}
      ADD "caller" text NOT NULL DEFAULT '',
      ADD "method" text NOT NULL DEFAULT '',
      ADD "fingerprint" text NOT NULL DEFAULT ''`);
    await runner.query(`ALTER TABLE ${table}
      ALTER COLUMN "caller" DROP DEFAULT,
      ALTER COLUMN "method" DROP DEFAULT,
      ALTER COLUMN "fingerprint" DROP DEFAULT`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${this.schema}"."request_ids"
      DROP COLUMN "fingerprint", DROP COLUMN "method", DROP COLUMN "caller"`);
  }
}
