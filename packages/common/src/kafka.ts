import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { BaseLogger } from 'pino';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs logs go here (as `kafka` child lines); without it they are dropped. */
  logger?: BaseLogger;
}

/** kafkajs' levels to pino's; kafkajs logs retries as errors, which pino would page someone for. */
function pinoLogCreator(logger: BaseLogger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const fields = { ...extra, component: 'kafkajs' };
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

/**
 * A kafkajs client: connection failures retried with backoff for about a minute (a broker restart takes
 * 5-10 s) before a call fails; logs into pino or nowhere.
 */
export function createKafka(options: KafkaOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10, factor: 0.2, multiplier: 2 },
    logLevel: options.logger ? logLevel.INFO : logLevel.NOTHING,
    ...(options.logger ? { logCreator: pinoLogCreator(options.logger) } : {}),
  });
}

/** Creates the topics that do not exist yet (the broker never creates them implicitly); safe to repeat. */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  options: { partitions?: number } = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0)
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: options.partitions ?? 3,
          replicationFactor: 1,
        })),
      });
    return missing;
  } finally {
    await admin.disconnect();
  }
}
