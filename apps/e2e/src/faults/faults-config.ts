/**
 * The knobs of the faults run (the only place it reads the environment).
 * Defaults keep `npx nx run e2e:faults` under about four minutes on 2 cores.
 */
function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: not a number of seconds`);
  return value;
}

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: not a whole number above 0`);
  return value;
}

export const FAULTS = {
  /** How long the broker stays dead during the write load (issue 9: 30 s). */
  kafkaOutageS: seconds('FAULTS_KAFKA_OUTAGE_S', 30),
  /** How long the partition leader's broker of the 3-broker cluster stays dead. */
  leaderOutageS: seconds('FAULTS_LEADER_OUTAGE_S', 15),
  /** How long PostgreSQL stays down during the write load. */
  postgresOutageS: seconds('FAULTS_PG_OUTAGE_S', 5),
  /** Writers per service, each writing one call at a time. */
  writersPerService: count('FAULTS_WRITERS', 2),
  /** Pause between two writes of one writer: bounds the load on a small machine. */
  writePauseMs: Math.round(seconds('FAULTS_WRITE_PAUSE_S', 0.1) * 1000),
  /** Load before a fault is injected and after it is repaired. */
  settleS: seconds('FAULTS_SETTLE_S', 2),
  /** How long writes pile up in the outbox before the relay is killed mid-batch. */
  backlogS: seconds('FAULTS_BACKLOG_S', 4),
  /** Load through two replicas before the relaying one is killed. */
  replicaLoadS: seconds('FAULTS_REPLICA_LOAD_S', 3),
};
