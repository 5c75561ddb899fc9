// Environment parsing: validated once at start-up into a typed object.
export { ConfigError, loadConfig, parseEnv } from './load-config';
export { SERVICE_PORTS } from './service-ports';
export {
  SEARCH_LANGUAGES,
  baseEnvSchema,
  envBoolean,
  envInt,
  envPort,
  pageTokenSecret,
  peerEndpoints,
  privateKeySchema,
  searchLanguageSchema,
  serviceAddressesEnvSchema,
  type BaseEnv,
  type PeerEndpoint,
  type SearchLanguage,
} from './env-schemas';
export {
  PRODUCTION_TOPIC_REPLICAS,
  fitReplication,
  kafkaTopicSettings,
  type KafkaTopicEnv,
  type KafkaTopicSettings,
} from './kafka-topics';
export { postgresConnection, type PostgresConnection, type PostgresTls } from './postgres-url';
export {
  grpcClientTls,
  grpcServerTls,
  kafkaSecurity,
  tlsEnvSchema,
  type GrpcClientTls,
  type GrpcServerTls,
  type KafkaSecurity,
  type TlsEnv,
} from './tls-env';
