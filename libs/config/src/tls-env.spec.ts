import {
  grpcClientTls,
  grpcServerTls,
  kafkaSecurity,
  tlsEnvProblems,
  type TlsEnv,
} from './tls-env';

// The variables as parsed (file contents already read); the files themselves,
// and TLS against real servers, are exercised in libs/testing/src/tls/.
const env = (values: Partial<TlsEnv>): TlsEnv => ({ KAFKA_SSL: false, ...values });

describe('the TLS settings of a parsed environment', () => {
  it('are all off when nothing is set', () => {
    expect(grpcServerTls(env({}))).toBeUndefined();
    expect(grpcClientTls(env({}))).toBeUndefined();
    expect(kafkaSecurity(env({}))).toEqual({});
    expect(tlsEnvProblems(env({}))).toEqual([]);
  });

  it('give the gRPC server its key pair, and the client CA only for mutual TLS', () => {
    expect(grpcServerTls(env({ GRPC_TLS_CERT: 'c', GRPC_TLS_KEY: 'k' }))).toEqual({
      cert: 'c',
      key: 'k',
      clientCa: undefined,
    });
    expect(
      grpcServerTls(env({ GRPC_TLS_CERT: 'c', GRPC_TLS_KEY: 'k', GRPC_TLS_CLIENT_CA: 'ca' })),
    ).toMatchObject({ clientCa: 'ca' });
  });

  it('make peer calls TLS once GRPC_TLS_CA is set, with the client identity if any', () => {
    expect(
      grpcClientTls(
        env({ GRPC_TLS_CA: 'ca', GRPC_TLS_CLIENT_CERT: 'c', GRPC_TLS_CLIENT_KEY: 'k' }),
      ),
    ).toEqual({ ca: 'ca', cert: 'c', key: 'k' });
  });

  it('give kafkajs TLS on the system roots, or on the CA file, and SASL credentials', () => {
    expect(kafkaSecurity(env({ KAFKA_SSL: true }))).toEqual({ ssl: true });
    expect(
      kafkaSecurity(
        env({
          KAFKA_SSL: true,
          KAFKA_SSL_CA: 'ca',
          KAFKA_SASL_MECHANISM: 'scram-sha-256',
          KAFKA_SASL_USERNAME: 'svc',
          KAFKA_SASL_PASSWORD: 'pw',
        }),
      ),
    ).toEqual({
      ssl: { ca: 'ca' },
      sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'pw' },
    });
  });

  it('name every variable of a combination that cannot work', () => {
    const problems = tlsEnvProblems(
      env({
        GRPC_TLS_KEY: 'k',
        GRPC_TLS_CLIENT_CA: 'ca',
        GRPC_TLS_CLIENT_CERT: 'c',
        KAFKA_SSL_CERT: 'c',
        KAFKA_SASL_MECHANISM: 'plain',
      }),
    ).map((problem) => problem.variable);
    expect(problems.sort()).toEqual(
      [
        'GRPC_TLS_CERT', // key without certificate
        'GRPC_TLS_CLIENT_KEY', // client certificate without key
        'KAFKA_SSL_KEY', // Kafka certificate without key
        'GRPC_TLS_CLIENT_CA', // mutual TLS without the server's TLS
        'GRPC_TLS_CLIENT_CERT', // client certificate without GRPC_TLS_CA
        'KAFKA_SSL_CERT', // without KAFKA_SSL
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
        'KAFKA_SASL_MECHANISM', // plain without TLS
      ].sort(),
    );
  });
});
