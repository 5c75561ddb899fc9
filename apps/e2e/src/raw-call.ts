import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { readStatusDetails } from '@nexus/grpc';

/** The outcome of one call: its status code and, when it failed, the details. */
export interface Outcome {
  code: status;
  details: string;
  /** The ErrorInfo reason of a failure, when the service sent one. */
  reason?: string;
  response?: Buffer;
}

/**
 * A generic grpc-js client that sends and receives raw bytes, so a test can
 * call any method with any payload (including bytes that are not a valid
 * message of the method's request type).
 */
export class RawClient {
  private readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
  }

  call(path: string, payload: Buffer, token?: string, deadlineMs = 15_000): Promise<Outcome> {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        path,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        payload,
        metadata,
        { deadline: Date.now() + deadlineMs },
        (error: ServiceError | null, response?: Buffer) =>
          resolve(
            error
              ? {
                  code: error.code,
                  details: error.details,
                  reason: readStatusDetails(error).errorInfo?.reason,
                }
              : { code: status.OK, details: '', response },
          ),
      );
    });
  }

  /**
   * A server-streaming call judged like a unary one: the first item (OK,
   * `response` its bytes) or the status it ended with first. A Watch never
   * ends by itself, so the call is cancelled once its first item came.
   */
  watch(path: string, payload: Buffer, token?: string, deadlineMs = 15_000): Promise<Outcome> {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return new Promise((resolve) => {
      const stream = this.client.makeServerStreamRequest(
        path,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        payload,
        metadata,
        { deadline: Date.now() + deadlineMs },
      );
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
        stream.cancel();
      };
      stream.on('data', (response: Buffer) => settle({ code: status.OK, details: '', response }));
      stream.on('error', (error: ServiceError) =>
        settle({
          code: error.code,
          details: error.details,
          reason: readStatusDetails(error).errorInfo?.reason,
        }),
      );
      stream.on('end', () => settle({ code: status.OK, details: '' }));
    });
  }

  close(): void {
    this.client.close();
  }
}

export const codeName = (code: status): string => status[code] ?? String(code);
