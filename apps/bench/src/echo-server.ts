// The transport half of the physical limit H: a raw grpc-js server that
// answers each call with fixed bytes of the size of the real reply, with no
// decoding, validation, auth or database. Method Call<i> answers the i-th
// reply given on the command line (base64), one per measured RPC. Run as its
// own process (like the service it stands in for) by echo-process.ts; prints
// its port.
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';

const identity = (value: Buffer): Buffer => value;

export const echoPath = (index: number): string => `/nexus.bench.v1.Echo/Call${index}`;

const definition = (replies: Buffer[]): ServiceDefinition =>
  Object.fromEntries(
    replies.map((_, index) => [
      `Call${index}`,
      {
        path: echoPath(index),
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    ]),
  );

if (require.main === module) {
  const replies = process.argv.slice(2).map((reply) => Buffer.from(reply, 'base64'));
  // The transport settings of the platform's servers (libs/grpc grpc-server.ts)
  // that bear on per-call cost: channelz off.
  const server = new Server({ 'grpc.enable_channelz': 0 });
  server.addService(
    definition(replies),
    Object.fromEntries(
      replies.map((reply, index) => [
        `Call${index}`,
        (_call: unknown, callback: (error: null, value: Buffer) => void) => callback(null, reply),
      ]),
    ),
  );
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.stdout.write(`${port}\n`);
  });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}
