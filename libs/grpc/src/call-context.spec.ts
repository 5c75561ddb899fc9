import { Metadata } from '@grpc/grpc-js';
import pino from 'pino';
import { CallContext } from './call-context';

const contextWithPeer = (peer: string) =>
  new CallContext(
    'Authenticate',
    null,
    undefined,
    new Metadata(),
    { correlationId: 'c', logger: pino({ enabled: false }) },
    peer,
  );

describe('CallContext.peerAddress', () => {
  it.each([
    ['127.0.0.1:54321', '127.0.0.1'],
    ['::1:54321', '::1'],
    ['2001:db8::7:443', '2001:db8::7'],
    ['::ffff:10.0.0.7:50000', '10.0.0.7'],
    ['unknown', 'unknown'],
    ['', 'unknown'],
  ])('reads %s as %s', (peer, address) => {
    expect(contextWithPeer(peer).peerAddress).toBe(address);
  });
});
