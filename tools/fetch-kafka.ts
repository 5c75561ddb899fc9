/** Downloads the Kafka broker jars from Maven Central into infra/kafka/target (once). */
import { fetchKafkaJars } from '@nexus/stack';

fetchKafkaJars().then(
  (dir) => process.stdout.write(`Kafka broker jars in ${dir}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
