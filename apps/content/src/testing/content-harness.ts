import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContentClient, type ContentClient } from '@nexus/clients';
import { startService, type RunningService } from '@nexus/runtime';
import { contentConfig } from '../config';
import { contentService, type ContentParts } from '../content.app';
import { LocalBlobStorage } from '../files/local-blob-storage';
import { FileTransferClient } from './file-transfer';

/** A content service on loopback with its own blob directory and clients. */
export interface ContentHarness {
  service: RunningService;
  client: ContentClient;
  transfer: FileTransferClient;
  blobs: LocalBlobStorage;
  blobDir: string;
  parts: ContentParts;
  /** Every blob file on disk (not staging), by hash. */
  blobHashes(): Promise<string[]>;
  /** Files left in the staging area. */
  stagedFiles(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startContent(env: Record<string, string> = {}): Promise<ContentHarness> {
  const blobDir = await mkdtemp(path.join(tmpdir(), 'nexus-content-blobs-'));
  const config = contentConfig({
    ...process.env,
    BIND_HOST: '127.0.0.1',
    CONTENT_GRPC_PORT: '0',
    CONTENT_HTTP_PORT: '0',
    CONTENT_BLOB_DIR: blobDir,
    ...env,
  });
  const blobs = new LocalBlobStorage(blobDir);
  const spec = contentService(config, blobs);
  const service = await startService(spec, config.service);
  const address = `127.0.0.1:${service.grpcPort}`;
  const client = createContentClient({ address });
  const transfer = new FileTransferClient(address);
  return {
    service,
    client,
    transfer,
    blobs,
    blobDir,
    parts: spec.parts(),
    blobHashes: async () =>
      (await readdir(blobDir, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile() && !entry.parentPath.includes('.staging'))
        .map((entry) => entry.name)
        .sort(),
    stagedFiles: async () => readdir(path.join(blobDir, '.staging')).catch(() => [] as string[]),
    stop: async () => {
      client.close();
      transfer.close();
      await service.stop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
