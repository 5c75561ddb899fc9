import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Version 4 of the kit's tables: the change log (ChangeLogEntry), what the
 * relay published under its position, kept for the replay window of live
 * streams. The relay fills it in the transaction that empties the outbox.
 */
export abstract class KitTablesV4Migration implements MigrationInterface {
  protected abstract readonly schema: string;

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "${this.schema}"."change_log" (
      "position" bigint NOT NULL,
      "event_id" uuid NOT NULL,
      "topic" text NOT NULL,
      "message_key" text NOT NULL,
      "type" text NOT NULL,
      "source" text NOT NULL,
      "time" TIMESTAMP(3) WITH TIME ZONE NOT NULL,
      "payload" jsonb NOT NULL,
      CONSTRAINT "PK_change_log" PRIMARY KEY ("position"))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${this.schema}"."change_log"`);
  }
}
