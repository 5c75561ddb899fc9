import 'reflect-metadata';
import { kafkaSecurity } from '@nexus/config';
import { createDataSource, migrate } from '@nexus/db';
import { createKafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { analyticsConfig } from './config';
import { database } from './database';
import { rebuildReadModels } from './read-models/rebuild-read-models';

/**
 * `nx run analytics:rebuild`: empties the read models and rewinds the
 * consumer group, so the next start of the (stopped) service replays every
 * event from the earliest offsets.
 */
async function main(): Promise<void> {
  const config = analyticsConfig();
  const { env } = config.service;
  const logger = createLogger({ service: 'analytics-rebuild', level: env.LOG_LEVEL });
  const dataSource = createDataSource({
    url: env.DATABASE_URL,
    ...database,
    poolSize: 1,
    maxOverflow: 0,
    sqlEcho: env.SQL_ECHO,
    applicationName: 'nexus-analytics-rebuild',
  });
  await dataSource.initialize();
  try {
    await migrate(dataSource);
    const kafka = createKafka({
      brokers: env.KAFKA_BROKERS,
      clientId: 'nexus-analytics-rebuild',
      logger,
      security: kafkaSecurity(env),
    });
    const result = await rebuildReadModels({ dataSource, kafka, groupId: config.consumerGroup });
    process.stdout.write(
      `read models emptied; group ${config.consumerGroup} rewound on ${result.topicsReset.length} topic(s). ` +
        'Start the analytics service to replay.\n',
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
