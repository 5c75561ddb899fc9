export type { KafkaTlsOptions } from './broker-tls';
export {
  ensureKafkaJars,
  fetchKafkaJars,
  startKafka,
  type KafkaNode,
  type KafkaOptions,
  type RunningKafka,
} from './kafka';
export { startLocalStack, type LocalStack, type LocalStackOptions } from './local-stack';
export { freePort, freePorts, isPortListening } from './ports';
export { startPostgres, type PostgresOptions, type RunningPostgres } from './postgres';
export {
  applyServiceRoles,
  provisionServiceRoles,
  serviceDatabaseUrl,
  serviceRoleName,
} from './database-roles';
export { rolePasswords } from './role-passwords';
export { scramVerifier } from './scram-verifier';
