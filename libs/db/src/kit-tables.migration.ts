import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxChannel } from './kit-tables.entity';

/**
 * The kit's tables (outbox, request ids, processed events) in a service's
 * schema. A service's first migration extends this with its schema name; the
 * SQL is frozen here as version 1, and later kit changes get a new class.
 */
export abstract class KitTablesV1Migration implements MigrationInterface {
  protected abstract readonly schema: string;

  async up(runner: QueryRunner): Promise<void> {
    const s = `"${this.schema}"`;
    await runner.query(`CREATE TABLE ${s}."outbox" (
      "id" BIGSERIAL NOT NULL,
      "event_id" uuid NOT NULL,
      "topic" text NOT NULL,
      "message_key" text NOT NULL,
      "type" text NOT NULL,
      "source" text NOT NULL,
      "time" TIMESTAMP(3) WITH TIME ZONE NOT NULL,
      "payload" jsonb NOT NULL,
      CONSTRAINT "PK_outbox" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE ${s}."request_ids" (
      "request_id" uuid NOT NULL,
      "resource_type" text NOT NULL,
      "resource_id" uuid NOT NULL,
      "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_request_ids" PRIMARY KEY ("request_id"))`);
    await runner.query(`CREATE TABLE ${s}."processed_events" (
      "consumer" text NOT NULL,
      "event_id" uuid NOT NULL,
      "processed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_processed_events" PRIMARY KEY ("consumer", "event_id"))`);
    // Wake the relay on commit of any transaction that wrote events.
    await runner.query(`CREATE FUNCTION ${s}."notify_outbox"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('${outboxChannel(this.schema)}', ''); RETURN NULL; END $$`);
    await runner.query(`CREATE TRIGGER "outbox_notify" AFTER INSERT ON ${s}."outbox"
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}."notify_outbox"()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${this.schema}"`;
    await runner.query(`DROP TRIGGER "outbox_notify" ON ${s}."outbox"`);
    await runner.query(`DROP FUNCTION ${s}."notify_outbox"()`);
    await runner.query(`DROP TABLE ${s}."processed_events"`);
    await runner.query(`DROP TABLE ${s}."request_ids"`);
    await runner.query(`DROP TABLE ${s}."outbox"`);
  }
}
