import { once } from 'node:events';
import { Metadata, credentials } from '@grpc/grpc-js';
import { contentV1 } from '@nexus/proto';

/** The streaming FileService calls, as a test or benchmark client makes them. */
export class FileTransferClient {
  private readonly client: contentV1.FileServiceClient;

  constructor(address: string) {
    this.client = new contentV1.FileServiceClient(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 8 * 1024 * 1024,
    });
  }

  /** Sends metadata, then every chunk (waiting on backpressure), and returns the stored file. */
  async upload(
    token: string,
    metadata: Partial<contentV1.UploadFileMetadata>,
    chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
    options: { firstMessage?: contentV1.UploadFileRequest } = {},
  ): Promise<contentV1.File> {
    let call: ReturnType<contentV1.FileServiceClient['uploadFile']> | undefined;
    const done = new Promise<contentV1.File>((resolve, reject) => {
      call = this.client.uploadFile(auth(token), (error, file) =>
        error ? reject(error) : resolve(file),
      );
    });
    const stream = call!;
    stream.write(
      options.firstMessage ?? {
        payload: {
          $case: 'metadata',
          value: contentV1.UploadFileMetadata.fromPartial({
            mimeType: 'application/octet-stream',
            ...metadata,
          }),
        },
      },
    );
    try {
      for await (const chunk of chunks) {
        if (!stream.write({ payload: { $case: 'chunk', value: chunk } })) {
          await Promise.race([once(stream, 'drain'), done]);
        }
      }
      stream.end();
    } catch {
      // The server answered before we finished sending: its status is the result.
    }
    return done;
  }

  /** The file message and every chunk of a download; `onChunk` sees chunks as they arrive. */
  async download(
    token: string,
    id: string,
    onChunk: (chunk: Buffer) => void = () => undefined,
  ): Promise<{ file: contentV1.File | undefined; chunks: number }> {
    const call = this.client.downloadFile({ id }, auth(token));
    let file: contentV1.File | undefined;
    let chunks = 0;
    for await (const message of call as AsyncIterable<contentV1.DownloadFileResponse>) {
      if (message.payload?.$case === 'file') file = message.payload.value;
      else if (message.payload?.$case === 'chunk') {
        chunks += 1;
        onChunk(message.payload.value);
      }
    }
    return { file, chunks };
  }

  /** Downloads into memory (for small test files). */
  async downloadAll(token: string, id: string): Promise<{ file?: contentV1.File; bytes: Buffer }> {
    const parts: Buffer[] = [];
    const { file } = await this.download(token, id, (chunk) => parts.push(chunk));
    return { file, bytes: Buffer.concat(parts) };
  }

  /** A download through a link share: no bearer token, the link's token (and password) instead. */
  async downloadShared(
    token: string,
    password = '',
  ): Promise<{ file?: contentV1.SharedFile; bytes: Buffer }> {
    const call = this.client.downloadSharedFile({ token, password }, new Metadata());
    let file: contentV1.SharedFile | undefined;
    const parts: Buffer[] = [];
    for await (const message of call as AsyncIterable<contentV1.DownloadSharedFileResponse>) {
      if (message.payload?.$case === 'file') file = message.payload.value;
      else if (message.payload?.$case === 'chunk') parts.push(message.payload.value);
    }
    return { file, bytes: Buffer.concat(parts) };
  }

  close(): void {
    this.client.close();
  }
}

function auth(token: string): Metadata {
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
