#!/usr/bin/env bash
# Reads a topic with Kafka's own console consumer, headers and keys included:
#   infra/kafka/console-consumer.sh nexus.users.user [--from-beginning] [more ConsoleConsumer flags]
# Uses the broker jars `npm start` downloaded; KAFKA_BROKERS defaults to the local stack.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
topic="${1:?usage: console-consumer.sh <topic> [flags]}"
shift
exec java -cp "$here/target/kafka-libs/*" -Dlog4j.configuration="file:$here/log4j.properties" \
  org.apache.kafka.tools.consumer.ConsoleConsumer \
  --bootstrap-server "${KAFKA_BROKERS:-127.0.0.1:9092}" --topic "$topic" \
  --property print.headers=true --property print.key=true "$@"
