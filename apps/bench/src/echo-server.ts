// The transport half of the physical limit H: a raw grpc-js server that
// answers every call with fixed bytes of a User message's size, with no
// decoding, validation, auth or database. Run as its own process (like the
// service it stands in for) by echo-process.ts; prints its port.
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';

const reply = Buffer.from(process.argv[2] ?? '', 'base64');
const identity = (value: Buffer): Buffer => value;

const ECHO_PATH = '/nexus.bench.v1.Echo/Call';

const definition: ServiceDefinition = {
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
  // The transport settings of the platform's servers (libs/grpc grpc-server.ts)
  // that bear on per-call cost: channelz off.
  const server = new Server({ 'grpc.enable_channelz': 0 });
  server.addService(definition, {
    Call: (_call: unknown, callback: (error: null, value: Buffer) => void) => callback(null, reply),
  });
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.stdout.write(`${port}\n`);
  });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}
