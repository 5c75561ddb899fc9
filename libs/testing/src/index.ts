// Test support: the run's real PostgreSQL and Kafka (see global-setup.ts),
// services on ephemeral ports, tokens for any role, event and error assertions.
export { startAppProcess, type AppProcess, type BuiltApp } from './app-process';
export { DeadLetterReader, header, poisonedUserDeleted } from './dead-letter-reader';
export { EventCollector, requireEnv, type CollectedEvent } from './event-collector';
export {
  migrationRoundTrip,
  type MigrationRoundTrip,
  type SchemaDefinition,
} from './migration-check';
export { grpcError, type ObservedError } from './grpc-assertions';
export {
  closedPortAddress,
  startHangingPeer,
  timedFailure,
  type HangingPeer,
  type TimedFailure,
} from './peer-faults';
export {
  captureStdout,
  refuseWrites,
  refusedWriteLog,
  type RefusedWriteLog,
} from './refused-writes';
export { startTestService, testServiceConfig } from './test-service';
export {
  makeTestCertificates,
  type CertificateFiles,
  type TestCertificates,
} from './test-certificates';
export { eventually, until } from './polling';
export { WatchReader, bearer } from './watch-reader';
export { as, signTestToken } from './tokens';
export {
  TEST_PASSWORD,
  startUsersProcess,
  type TestUser,
  type UsersProcess,
} from './users-process';
export {
  medianOfRounds,
  rowMet,
  writeBenchResult,
  type BenchResult,
  type BenchRow,
} from './bench-result';
export { percentile, timed } from './bench-stats';
