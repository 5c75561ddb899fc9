import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { query } from './db-probes';

/**
 * Puts a service's outbox relay where a fault test wants it, through
 * PostgreSQL alone (the relay is not changed or told anything):
 * - hold leadership: the test takes the relay's advisory lock, so the relay
 *   waits as a standby and writes pile up in the outbox;
 * - freeze deletes: a SHARE lock on the outbox lets the relay claim and
 *   publish a batch but blocks its DELETE, so the process can be killed at
 *   the worst moment, with the batch on Kafka and still in the outbox.
 */
export class RelayControl {
  private leadership: Client | null = null;
  private freeze: Client | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly schema: string,
  ) {}

  /** The relay's lock key (OutboxRelay: `nexus.outbox.<schema>`). */
  get lockKey(): string {
    return `nexus.outbox.${this.schema}`;
  }

  /** The application_name of the relay's own connection. */
  get relayApplication(): string {
    return `${this.schema}-outbox-relay`;
  }

  /**
   * Cuts the relay's database connection and takes its lock before it
   * reconnects (it retries after 100 ms): a relay that lost its session.
   */
  async holdLeadership(timeoutMs = 10_000): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await client.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
            AND l.objid::bigint = (hashtext($1)::bigint & 4294967295)`,
        [this.lockKey],
      );
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [this.lockKey],
      );
      if (rows[0]?.locked) {
        this.leadership = client;
        return;
      }
      await sleep(10);
    }
    await client.end();
    throw new Error(`could not take the ${this.schema} relay's lock within ${timeoutMs} ms`);
  }

  async releaseLeadership(): Promise<void> {
    await this.leadership?.end();
    this.leadership = null;
  }

  /** From now on a relay's DELETE of published rows waits (and so does every write). */
  async freezeDeletes(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE "${this.schema}"."outbox" IN SHARE MODE`);
    this.freeze = client;
  }

  async unfreeze(): Promise<void> {
    await this.freeze?.query('ROLLBACK');
    await this.freeze?.end();
    this.freeze = null;
  }

  /**
   * Waits until the relay has published a batch and is waiting to delete it
   * from the outbox (its DELETE is the first part of the statement that
   * moves the batch into the change log).
   */
  async waitForBlockedDelete(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const blocked = await query<{ pid: number }>(
        this.databaseUrl,
        `SELECT pid FROM pg_stat_activity
          WHERE application_name = $1 AND wait_event_type = 'Lock'
            AND query LIKE '%DELETE FROM %outbox%'`,
        [this.relayApplication],
      );
      if (blocked.length > 0) return;
      await sleep(20);
    }
    throw new Error(`the ${this.schema} relay did not reach its DELETE within ${timeoutMs} ms`);
  }

  /** The relay sessions of every replica, and which one holds the relay lock. */
  async relaySessions(): Promise<{ pid: number; leader: boolean }[]> {
    return query<{ pid: number; leader: boolean }>(
      this.databaseUrl,
      `SELECT a.pid, EXISTS (
                SELECT 1 FROM pg_locks l
                 WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
                   AND l.objid::bigint = (hashtext($2)::bigint & 4294967295)) AS leader
         FROM pg_stat_activity a WHERE a.application_name = $1 ORDER BY a.pid`,
      [this.relayApplication, this.lockKey],
    );
  }
}
