import { Server, ServerCredentials, credentials, type ServerWritableStream } from '@grpc/grpc-js';
import { commsV1 } from '@nexus/proto';

/**
 * The reference for the Watch fan-out: a bare grpc-js server in the same
 * process writing the same WatchRoomResponse messages (a ChatMessage each)
 * to `streams` open streams, as fast as the streams take them, read by the
 * same kind of clients. Returns the items/s delivered to the clients.
 */
export async function rawFanOutRate(
  streams: number,
  messages: readonly commsV1.WatchRoomResponse[],
  channels: number,
): Promise<number> {
  const open: ServerWritableStream<commsV1.WatchRoomRequest, commsV1.WatchRoomResponse>[] = [];
  const server = new Server();
  // Only WatchRoom is served; grpc-js answers the other methods UNIMPLEMENTED.
  server.addService(commsV1.ChatServiceService, {
    watchRoom: (call: ServerWritableStream<commsV1.WatchRoomRequest, commsV1.WatchRoomResponse>) =>
      open.push(call),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const clients = Array.from(
    { length: channels },
    () => new commsV1.ChatServiceClient(`127.0.0.1:${port}`, credentials.createInsecure()),
  );
  const expected = streams * messages.length;
  let received = 0;
  let done!: () => void;
  const allReceived = new Promise<void>((resolve) => (done = resolve));
  const calls = Array.from({ length: streams }, (_, i) => {
    const call = clients[i % channels].watchRoom({ roomId: 'raw', cursor: '' });
    call.on('data', () => {
      if (++received === expected) done();
    });
    call.on('error', () => undefined);
    return call;
  });
  while (open.length < streams) await new Promise((resolve) => setTimeout(resolve, 10));

  const started = performance.now();
  // One write per message to every stream, waiting for drain like a real
  // writer that respects flow control.
  await Promise.all(
    open.map(async (stream) => {
      for (const message of messages) {
        if (!stream.write(message)) await new Promise((resolve) => stream.once('drain', resolve));
      }
    }),
  );
  await allReceived;
  const seconds = (performance.now() - started) / 1000;

  for (const call of calls) call.cancel();
  for (const client of clients) client.close();
  server.forceShutdown();
  return expected / seconds;
}
