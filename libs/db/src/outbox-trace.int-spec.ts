import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { activeTraceparent, inSpan, startTracing, stopTracing } from '@nexus/ops';
import { defineAggregate } from './aggregate';
import { createDataSource } from './data-source';
import { OutboxEvent } from './kit-tables.entity';
import { inTransaction } from './transaction';

const parcel = defineAggregate<{ id: string }>({
  service: 'kit-test',
  name: 'parcel',
  toResource: (p) => ({ id: p.id }),
});

const schema = `outbox_trace_${Date.now()}`;
let dataSource: DataSource;

/** Writes one event (emitResources) and two with one statement (emitMany); their ids. */
async function writeEvents(): Promise<string[]> {
  const ids = [uuidv7(), uuidv7(), uuidv7()];
  await inTransaction(dataSource, null, async (tx) => {
    await tx.emitResources(parcel, 'created', ids[0], null, { id: ids[0] });
    await tx.emitMany(
      parcel,
      'created',
      ids.slice(1).map((id) => ({ subject: id, before: null, after: { id } })),
    );
  });
  return ids;
}

async function storedTraceparents(ids: string[]): Promise<(string | null)[]> {
  const rows = await dataSource.getRepository(OutboxEvent).find({ order: { id: 'ASC' } });
  return ids.map((id) => {
    const row = rows.find((r) => r.messageKey === id);
    if (!row) throw new Error(`no outbox row for ${id}`);
    return row.traceparent;
  });
}

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [],
    migrations: [],
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'outbox-trace-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.synchronize(); // the kit's tables as the entities define them
});

afterAll(async () => {
  // Its final export fails (nothing listens, and Jest's VM refuses the exporter's lazy import).
  await stopTracing().catch(() => undefined);
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

describe('the outbox trace context', () => {
  it('stores nothing while tracing is off', async () => {
    const ids = await writeEvents();
    expect(await storedTraceparents(ids)).toEqual([null, null, null]);
  });

  describe('with tracing on', () => {
    beforeAll(() => {
      // Nothing listens there: the exported spans are dropped, the contexts are what is checked.
      startTracing('db-test', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    });

    it("stores the outbox write span's context, in the caller's trace, for single and batched rows", async () => {
      let caller = '';
      const ids = await inSpan('call', {}, async () => {
        caller = activeTraceparent()!;
        return writeEvents();
      });
      const [single, first, second] = await storedTraceparents(ids);
      const [, traceId, callerSpan] = caller.split('-');
      for (const stored of [single, first, second]) {
        expect(stored).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
        // The outbox write span's own id, not the caller's.
        expect(stored).not.toContain(callerSpan);
      }
      expect(first).toBe(second);
      expect(single).not.toBe(first);
    });

    it('stores nothing for a write outside any span', async () => {
      const ids = await writeEvents();
      expect(await storedTraceparents(ids)).toEqual([null, null, null]);
    });
  });
});
