import { logLevel, type LogEntry } from 'kafkajs';
import pino from 'pino';
import { isStartupSettling, kafkaLogCreator, SETTLING_WINDOW_MS } from './kafka-log';
import { withTopicErrors } from './kafka';

/** A kafkajs ERROR line as its Connection logs a failed response. */
function failedResponse(request: string, error: string, namespace = 'Connection'): LogEntry {
  return {
    namespace,
    level: logLevel.ERROR,
    label: 'ERROR',
    log: {
      timestamp: '2026-12-03T16:00:38.204Z',
      logger: 'kafkajs',
      message: `Response ${request}(key: 10, version: 2)`,
      broker: '127.0.0.1:9092',
      clientId: 'nexus-users',
      error,
      correlationId: 2,
      size: 55,
    },
  };
}

/** Each (request, error) a fresh broker answered during one `npm start` (kafkajs 2.2.4). */
const SEEN_ON_A_FRESH_START: [string, string][] = [
  ['CreateTopics', 'Topic creation errors'],
  ['GroupCoordinator', 'The group coordinator is not available'],
  ['InitProducerId', "The coordinator is loading and hence can't process requests for this group"],
  ['ListOffsets', 'This server is not the leader for that topic-partition'],
  ['Metadata', 'This server does not host this topic-partition'],
];

describe('isStartupSettling', () => {
  it.each(SEEN_ON_A_FRESH_START)(
    'takes %s answering "%s" at start-up as settling',
    (request, error) => {
      expect(isStartupSettling(failedResponse(request, error), 5_000)).toBe(true);
    },
  );

  it('takes the same answers as errors once the start-up window has passed', () => {
    for (const [request, error] of SEEN_ON_A_FRESH_START)
      expect(isStartupSettling(failedResponse(request, error), SETTLING_WINDOW_MS + 1)).toBe(false);
  });

  it('keeps every other failure an error, even at start-up', () => {
    const real: LogEntry[] = [
      failedResponse('Produce', 'This server is not the leader for that topic-partition'),
      failedResponse(
        'SaslAuthenticate',
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      ),
      failedResponse('CreateTopics', 'The request timed out'),
      failedResponse('Metadata', 'Not authorized to access topics: [Topic authorization failed]'),
      failedResponse('GroupCoordinator', 'The group coordinator is not available', 'BrokerPool'),
      {
        ...failedResponse('Metadata', 'x'),
        log: {
          timestamp: '',
          logger: 'kafkajs',
          message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        },
      },
    ];
    for (const entry of real) expect(isStartupSettling(entry, 1_000)).toBe(false);
  });
});

describe('kafkaLogCreator', () => {
  function logged(entries: LogEntry[], ageMs: number): { level: number; msg: string }[] {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: 'debug' },
      {
        write: (line: string) =>
          void lines.push(JSON.parse(line) as { level: number; msg: string }),
      },
    );
    let clock = 1_000_000;
    const log = kafkaLogCreator(logger, () => clock)(logLevel.WARN);
    clock += ageMs;
    for (const entry of entries) log(entry);
    return lines.map(({ level, msg }) => ({ level, msg }));
  }

  it('logs the start-up answers at debug and real failures as warnings', () => {
    const entries = [
      failedResponse('GroupCoordinator', 'The group coordinator is not available'),
      failedResponse('Produce', 'The request timed out'),
    ];
    expect(logged(entries, 2_000)).toEqual([
      { level: 20, msg: 'Response GroupCoordinator(key: 10, version: 2)' },
      { level: 40, msg: 'Response Produce(key: 10, version: 2)' },
    ]);
    expect(logged(entries, SETTLING_WINDOW_MS + 1_000).map(({ level }) => level)).toEqual([40, 40]);
  });

  it("keeps kafkajs' own warnings at debug", () => {
    const warning = { ...failedResponse('Fetch', 'x'), level: logLevel.WARN, label: 'WARN' };
    expect(logged([warning], 0)).toEqual([
      { level: 20, msg: 'Response Fetch(key: 10, version: 2)' },
    ]);
  });
});

describe('withTopicErrors', () => {
  it('names each topic and reason of a failed topic creation', () => {
    const aggregate = Object.assign(new Error('Topic creation errors'), {
      errors: [
        {
          topic: 'nexus.users.user',
          message: 'Replication factor: 3 larger than available brokers: 1.',
        },
        { topic: 'nexus.users.dlq', message: 'Topic with this name already exists' },
      ],
    });
    const named = withTopicErrors(aggregate) as Error;
    expect(named.message).toBe(
      'Topic creation errors: nexus.users.user: Replication factor: 3 larger than available brokers: 1.; nexus.users.dlq: Topic with this name already exists',
    );
    expect(named.cause).toBe(aggregate);
    const plain = new Error('Connection error');
    expect(withTopicErrors(plain)).toBe(plain);
  });
});
