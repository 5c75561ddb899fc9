import type { PlatformEvent } from '@nexus/events';
import { auditEvents, rowsWithoutTheirEvent } from './event-audit';
import type { LedgerEntry } from './write-load';

const TOPIC = 'nexus.work.task';

function write(subject: string, verb: string, marker: string): LedgerEntry {
  return {
    service: 'work',
    topic: TOPIC,
    subject,
    type: `${TOPIC}.${verb}`,
    marker,
    scenario: 's',
    writer: 'work/w0',
    okAt: 0,
  };
}

function event(id: string, subject: string, verb: string, title: string): PlatformEvent {
  return {
    id,
    type: `${TOPIC}.${verb}`,
    source: '/nexus/work',
    subject,
    time: new Date(0),
    topic: TOPIC,
    partition: 0,
    offset: '0',
    data: { before: null, after: { id: subject, title }, changed: ['title'], actor: null },
  };
}

const ledger = [write('t1', 'created', 's/1'), write('t1', 'updated', 's/2')];

describe('auditEvents', () => {
  it('finds nothing wrong when each OK write has one event, in order', () => {
    const audit = auditEvents('s', ledger, [
      event('e1', 't1', 'created', 's/1'),
      event('e2', 't1', 'updated', 's/2'),
    ]);
    expect(audit).toMatchObject({ events: 2, lost: [], duplicated: 0, extraEvents: 0 });
    expect(audit.outOfOrder).toEqual([]);
  });

  it('counts an OK write without its event as lost', () => {
    const audit = auditEvents('s', ledger, [event('e1', 't1', 'created', 's/1')]);
    expect(audit.lost.map((w) => w.marker)).toEqual(['s/2']);
  });

  it('counts a redelivered event as duplicated, and orders by first delivery', () => {
    const audit = auditEvents('s', ledger, [
      event('e1', 't1', 'created', 's/1'),
      event('e2', 't1', 'updated', 's/2'),
      event('e1', 't1', 'created', 's/1'),
    ]);
    expect(audit).toMatchObject({ events: 2, duplicated: 1, lost: [] });
    expect(audit.outOfOrder).toEqual([]);
  });

  it('flags an aggregate whose events arrive out of the order of its writes', () => {
    const audit = auditEvents('s', ledger, [
      event('e2', 't1', 'updated', 's/2'),
      event('e1', 't1', 'created', 's/1'),
    ]);
    expect(audit.outOfOrder).toEqual(['t1']);
  });

  it('flags a write with two distinct events, and counts events of unanswered writes apart', () => {
    const audit = auditEvents('s', ledger, [
      event('e1', 't1', 'created', 's/1'),
      event('e2', 't1', 'updated', 's/2'),
      event('e3', 't1', 'updated', 's/2'),
      event('e4', 't1', 'updated', 's/3'),
    ]);
    expect(audit).toMatchObject({ extraEvents: 1, unackedCommits: 1 });
  });

  it("ignores other scenarios' events", () => {
    const audit = auditEvents('s', [], [event('e9', 't9', 'created', 'other/1')]);
    expect(audit.events).toBe(0);
  });
});

describe('rowsWithoutTheirEvent', () => {
  it('names a row whose state is not in its latest event', () => {
    const events = [event('e1', 't1', 'created', 's/1'), event('e2', 't1', 'updated', 's/2')];
    expect(rowsWithoutTheirEvent([{ topic: TOPIC, id: 't1', marker: 's/2' }], events)).toEqual([]);
    expect(rowsWithoutTheirEvent([{ topic: TOPIC, id: 't1', marker: 's/3' }], events)).toHaveLength(
      1,
    );
    expect(rowsWithoutTheirEvent([{ topic: TOPIC, id: 't2', marker: 's/1' }], events)).toHaveLength(
      1,
    );
  });
});
