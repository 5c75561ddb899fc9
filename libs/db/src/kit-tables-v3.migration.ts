import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Version 3 of the kit's tables: an outbox row keeps the trace context of
 * the call that wrote it (W3C `traceparent`), so the relay's publish, however
 * much later, belongs to the same trace. Null when the writer was not tracing.
 */
export abstract class KitTablesV3Migration implements MigrationInterface {
  protected abstract readonly schema: string;

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${this.schema}"."outbox" ADD "traceparent" text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${this.schema}"."outbox" DROP COLUMN "traceparent"`);
  }
}
