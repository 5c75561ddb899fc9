// G, the transport half of the physical limit H: a raw grpc-js server that
// answers every call with fixed bytes the size of a recorded AiInteraction,
// with no decoding, validation, auth or database. Run as a process of its own
// (as the service is) by echo-process.ts; prints its port.
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';

export const ECHO_PATH = '/nexus.bench.v1.Echo/Call';

const identity = (value: Buffer): Buffer => value;

export const ECHO_DEFINITION: ServiceDefinition = {
  Call: {
    path: ECHO_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

if (require.main === module) {
  const reply = Buffer.from(process.argv[2] ?? '', 'base64');
  // The one transport setting of the platform's servers (libs/grpc) that bears
  // on per-call cost: channelz off.
  const server = new Server({ 'grpc.enable_channelz': 0 });
  server.addService(ECHO_DEFINITION, {
    Call: (_call: unknown, callback: (error: null, value: Buffer) => void) => callback(null, reply),
  });
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.stdout.write(`${port}\n`);
  });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}
