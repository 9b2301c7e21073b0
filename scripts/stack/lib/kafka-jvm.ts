// What the Kafka broker and the Connect worker share in the native runtime: a JDK and Maven from Debian,
// a log4j 1 config that writes to stdout (the runtime already sends stdout to the component's log file),
// the JVM flags that keep their heaps small, and a Kafka-protocol admin client for probes and bootstrap.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { aptInstall, type Context, type StackEnv } from '../runtime.js';

/** A headless JDK 17 and Maven: Maven resolves the jars, the JDK runs them. Installs nothing when present. */
export async function installJvmTools(ctx: Context): Promise<void> {
  await aptInstall(ctx, ['openjdk-17-jre-headless', 'maven']);
}

/**
 * Writes `<ctx.dir>/log4j.properties` and returns the -D flag that points the JVM at it. INFO for the
 * component itself, WARN for the chattiest libraries, so a log file stays readable after a day of use.
 */
export function writeLog4j(ctx: Context, quietLoggers: string[]): string {
  const file = path.join(ctx.dir, 'log4j.properties');
  writeFileSync(
    file,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      ...quietLoggers.map((logger) => `log4j.logger.${logger}=WARN`),
      '',
    ].join('\n'),
  );
  return `-Dlog4j.configuration=file:${file}`;
}

/**
 * JVM flags for a small, predictable footprint. The upstream start scripts default to 1 GiB (broker) and
 * 2 GiB (Connect) heaps; a laptop running the whole lab cannot afford that, so the heap is pinned here.
 */
export function jvmFlags(heap: { min: string; max: string }): string[] {
  return [
    `-Xms${heap.min}`,
    `-Xmx${heap.max}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    // A JVM that ran out of heap is broken in ways a probe may not see; better dead and visibly stopped.
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
  ];
}

/** `host:port` of the broker as every client in the lab reaches it. */
export function brokerAddress(env: StackEnv): string {
  return `${env.STACK_HOST}:${env.KAFKA_PORT}`;
}

/**
 * A connected admin client that gives up quickly: a probe must answer in about a second, not retry for
 * the better part of a minute as kafkajs does by default. The caller disconnects it.
 */
export async function connectAdmin(env: StackEnv, clientId: string): Promise<Admin> {
  const kafka = new Kafka({
    clientId,
    brokers: [brokerAddress(env)],
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    // A refused connection while the broker starts is an expected answer, not something to print.
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}
