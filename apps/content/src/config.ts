import path from 'node:path';
import { z } from 'zod';
import {
  baseEnvSchema,
  envInt,
  envPort,
  loadConfig,
  peerEndpoints,
  serviceAddressesEnvSchema,
  type PeerEndpoint,
} from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';

const REPO_ROOT = path.resolve(__dirname, '../../..');

const contentEnvSchema = baseEnvSchema.extend(serviceAddressesEnvSchema.shape).extend({
  CONTENT_GRPC_PORT: envPort(50052),
  CONTENT_HTTP_PORT: envPort(8082),
  /** Where blobs live; relative paths are taken from the repository root. */
  CONTENT_BLOB_DIR: z.string().min(1).default('.nexus/blobs'),
  CONTENT_MAX_FILE_BYTES: envInt(1024 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
  CONTENT_TRASH_RETENTION_DAYS: envInt(30, 0, 3650),
  CONTENT_PURGE_INTERVAL_SECONDS: envInt(3600, 1, 86_400),
  CONTENT_VERSIONS_KEPT: envInt(100, 1, 1_000_000),
  CONTENT_VERSION_RETENTION_DAYS: envInt(30, 0, 3650),
  CONTENT_VERSION_SNAPSHOT_EVERY: envInt(32, 1, 1000),
  /** The first wait after the 5th wrong password of a link; it doubles up to a minute. */
  CONTENT_LINK_PASSWORD_DELAY_SECONDS: envInt(1, 1, 60),
});

export interface ContentConfig {
  service: ServiceConfig;
  /** The users service, asked whether a user exists and is active. */
  users: PeerEndpoint;
  blobDir: string;
  maxFileBytes: number;
  trashRetentionDays: number;
  /** How often trashed documents are purged and released blobs removed. */
  maintenanceIntervalMs: number;
  versions: VersionRetentionConfig;
  /** The first wait of a link whose password was guessed wrong too often. */
  linkPasswordDelaySeconds: number;
}

export interface VersionRetentionConfig {
  /** The newest versions of a document that retention never prunes. */
  keepNewest: number;
  /** Older versions not kept forever are pruned once older than this. */
  retentionDays: number;
  /** Every this many versions of a chain is stored whole; the others as deltas. */
  snapshotEvery: number;
}

/** The content service's configuration, from the environment, validated once. */
export function contentConfig(
  env: Record<string, string | undefined> = process.env,
): ContentConfig {
  const parsed = loadConfig(contentEnvSchema, env);
  return {
    service: serviceConfig(parsed, {
      grpcPort: parsed.CONTENT_GRPC_PORT,
      httpPort: parsed.CONTENT_HTTP_PORT,
    }),
    users: peerEndpoints(parsed).users,
    blobDir: path.resolve(REPO_ROOT, parsed.CONTENT_BLOB_DIR),
    maxFileBytes: parsed.CONTENT_MAX_FILE_BYTES,
    trashRetentionDays: parsed.CONTENT_TRASH_RETENTION_DAYS,
    maintenanceIntervalMs: parsed.CONTENT_PURGE_INTERVAL_SECONDS * 1000,
    versions: {
      keepNewest: parsed.CONTENT_VERSIONS_KEPT,
      retentionDays: parsed.CONTENT_VERSION_RETENTION_DAYS,
      snapshotEvery: parsed.CONTENT_VERSION_SNAPSHOT_EVERY,
    },
    linkPasswordDelaySeconds: parsed.CONTENT_LINK_PASSWORD_DELAY_SECONDS,
  };
}
