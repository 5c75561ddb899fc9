import type { PlatformEvent } from '@nexus/events';
import type { LedgerEntry } from './write-load';
import { MARKER_FIELD } from './write-targets';

/** What Kafka holds about one scenario's writes, against the ledger of OK answers. */
export interface EventAudit {
  okWrites: number;
  /** Distinct events (ce_id) caused by the scenario's writes. */
  events: number;
  /** Messages delivered more than once (same ce_id): re-sent after a crash or outage. */
  duplicated: number;
  /** OK writes with no event on Kafka. */
  lost: LedgerEntry[];
  /** Writes with more than one distinct event (each write must have exactly one). */
  extraEvents: number;
  /** Events of writes whose caller saw an error although the change committed. */
  unackedCommits: number;
  /** Aggregates written to. */
  aggregates: number;
  /** Aggregates whose events are not in the order their writes were answered. */
  outOfOrder: string[];
}

/** The marker of the write that caused `event`, if it is one of `scenario`'s. */
export function markerOf(event: PlatformEvent, scenario?: string): string | undefined {
  const field = MARKER_FIELD[event.topic];
  if (!field || !event.data.changed.includes(field)) return undefined;
  const marker = event.data.after?.[field];
  if (typeof marker !== 'string') return undefined;
  return scenario === undefined || marker.startsWith(`${scenario}/`) ? marker : undefined;
}

const keyOf = (subject: string, type: string, marker: string): string =>
  `${subject} ${type} ${marker}`;

/**
 * Matches every OK write with its event (same subject, type and marker):
 * lost, duplicated, and per aggregate the order of first deliveries against
 * the order of the OK answers.
 */
export function auditEvents(
  scenario: string,
  ledger: readonly LedgerEntry[],
  events: readonly PlatformEvent[],
): EventAudit {
  const ours = events.filter((event) => markerOf(event, scenario) !== undefined);
  // First delivery of each event id, in the order Kafka delivered them (per partition).
  const firstSeen = new Map<string, PlatformEvent>();
  for (const event of ours) if (!firstSeen.has(event.id)) firstSeen.set(event.id, event);

  const idsByWrite = new Map<string, string[]>();
  for (const event of firstSeen.values()) {
    const key = keyOf(event.subject, event.type, markerOf(event)!);
    idsByWrite.set(key, [...(idsByWrite.get(key) ?? []), event.id]);
  }
  const written = new Set(ledger.map((entry) => keyOf(entry.subject, entry.type, entry.marker)));
  const lost = ledger.filter(
    (entry) => !idsByWrite.has(keyOf(entry.subject, entry.type, entry.marker)),
  );
  let extraEvents = 0;
  let unackedCommits = 0;
  for (const [key, ids] of idsByWrite) {
    if (written.has(key)) extraEvents += ids.length - 1;
    else unackedCommits += ids.length;
  }

  const outOfOrder: string[] = [];
  const acked = new Set(ledger.map((entry) => entry.marker));
  const subjects = new Set(ledger.map((entry) => entry.subject));
  for (const subject of subjects) {
    const delivered = [...firstSeen.values()]
      .filter((event) => event.subject === subject)
      .map((event) => markerOf(event)!)
      .filter((marker) => acked.has(marker));
    const deliveredSet = new Set(delivered);
    const answered = ledger
      .filter((entry) => entry.subject === subject && deliveredSet.has(entry.marker))
      .map((entry) => entry.marker);
    if (delivered.join('\n') !== answered.join('\n')) outOfOrder.push(subject);
  }

  return {
    okWrites: ledger.length,
    events: firstSeen.size,
    duplicated: ours.length - firstSeen.size,
    lost,
    extraEvents,
    unackedCommits,
    aggregates: subjects.size,
    outOfOrder,
  };
}

/**
 * Committed rows whose change is not on Kafka: a row with no event, or whose
 * latest event does not carry the marker the row holds now. Covers writes
 * whose caller saw an error although they committed.
 */
export function rowsWithoutTheirEvent(
  rows: readonly { topic: string; id: string; marker: string }[],
  events: readonly PlatformEvent[],
): string[] {
  const latest = new Map<string, string>();
  const seen = new Set<string>();
  for (const event of events) {
    // A redelivery repeats an older state; the first delivery is where the event belongs.
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const marker = markerOf(event);
    if (marker !== undefined) latest.set(`${event.topic} ${event.subject}`, marker);
  }
  return rows
    .filter((row) => latest.get(`${row.topic} ${row.id}`) !== row.marker)
    .map(
      (row) =>
        `${row.topic} ${row.id}: row holds ${row.marker}, last event ${latest.get(`${row.topic} ${row.id}`) ?? 'none'}`,
    );
}
