// Watches the flow's topics from before its first request: a consumer in a group of its own that never
// commits, decoding every message through the schema registry, so a check can wait for one event of this run.
import { createRegistry, decodeEvent, type EventOf, type Registry, type Topic } from '@shop/contracts';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { CheckFailed, formatMs } from './runner.js';

interface Seen {
  topic: Topic;
  event: unknown;
  receivedAt: number;
}

type Waiter = { topic: Topic; match: (event: unknown) => boolean; resolve: (seen: Seen) => void };

/** An event of this run and how long after it occurred (its `occurred_at`) it reached the watch. */
export interface Delivered<T extends Topic> {
  event: EventOf<T>;
  lagMs: number;
}

function delivered<T extends Topic>(seen: Seen): Delivered<T> {
  const event = seen.event as EventOf<T>;
  return { event, lagMs: seen.receivedAt - event.occurred_at };
}

export interface EventWatchOptions {
  brokers: string[];
  registryUrl: string;
  groupId: string;
  topics: readonly Topic[];
  joinTimeoutMs: number;
}

export class EventWatch {
  private readonly seen: Seen[] = [];
  private readonly keys = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private readonly undecodable = new Map<string, { count: number; first: string }>();

  private constructor(
    private readonly consumer: Consumer,
    private readonly registry: Registry,
  ) {}

  /**
   * Joins a fresh group on `topics` and positions it at the end of every partition as it was before joining,
   * so nothing produced after this resolves is missed (a fresh group's `latest` is only read at its first
   * fetch, which may come after the flow's first event).
   */
  static async start(options: EventWatchOptions): Promise<EventWatch> {
    const kafka = new Kafka({
      clientId: 'e2e-checkout',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 2 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map<Topic, { partition: number; offset: string }[]>();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = options.topics.filter((t) => !existing.has(t));
      if (missing.length) throw new CheckFailed(`topic(s) missing in Kafka: ${missing.join(', ')}`);
      for (const topic of options.topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        ends.set(
          topic,
          offsets.map((o) => ({ partition: o.partition, offset: o.high })),
        );
      }
    } finally {
      await admin.disconnect();
    }

    const consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout: 10_000 });
    const watch = new EventWatch(consumer, createRegistry(options.registryUrl));
    let markJoined: () => void = () => undefined;
    const joined = new Promise<void>((resolve) => {
      markJoined = resolve;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => markJoined());
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        await watch.receive(topic as Topic, `${topic}/${partition}/${message.offset}`, message.value);
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.joinTimeoutMs);
    });
    const result = await Promise.race([joined.then(() => 'joined' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      await consumer.disconnect().catch(() => undefined);
      throw new CheckFailed(
        `the consumer did not join group ${options.groupId} within ${options.joinTimeoutMs} ms`,
      );
    }
    for (const [topic, partitions] of ends)
      for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
    return watch;
  }

  private async receive(topic: Topic, key: string, value: Buffer | null): Promise<void> {
    // A seek may hand the same offset over twice; one copy is enough.
    if (this.keys.has(key)) return;
    this.keys.add(key);
    if (!value) return this.noteUndecodable(topic, 'a message without a value');
    let event: unknown;
    try {
      event = await decodeEvent(this.registry, value, topic);
    } catch (err) {
      return this.noteUndecodable(topic, (err as Error).message);
    }
    const seen: Seen = { topic, event, receivedAt: Date.now() };
    this.seen.push(seen);
    for (const waiter of this.waiters)
      if (waiter.topic === topic && waiter.match(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(seen);
      }
  }

  private noteUndecodable(topic: Topic, reason: string): void {
    const known = this.undecodable.get(topic);
    if (known) known.count++;
    else this.undecodable.set(topic, { count: 1, first: reason });
  }

  /** Every event of `topic` seen so far that `match` accepts, in arrival order. */
  all<T extends Topic>(topic: T, match: (event: EventOf<T>) => boolean): EventOf<T>[] {
    return this.seen
      .filter((s) => s.topic === topic && match(s.event as EventOf<T>))
      .map((s) => s.event as EventOf<T>);
  }

  /**
   * The first event of `topic` that `match` accepts, seen already or arriving within `timeoutMs`. Fails with
   * what the topic did carry meanwhile, so a missing event and an undecodable one read differently.
   */
  async waitFor<T extends Topic>(
    topic: T,
    what: string,
    match: (event: EventOf<T>) => boolean,
    timeoutMs: number,
  ): Promise<Delivered<T>> {
    const accept = match as (event: unknown) => boolean;
    const already = this.seen.find((s) => s.topic === topic && accept(s.event));
    if (already) return delivered<T>(already);
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<Seen>((resolve) => {
      waiter = { topic, match: accept, resolve };
      this.waiters.add(waiter);
    });
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const seen = await Promise.race([arrived, timedOut]);
    clearTimeout(timer);
    if (waiter) this.waiters.delete(waiter);
    if (seen) return delivered<T>(seen);
    const others = this.seen.filter((s) => s.topic === topic).length;
    const bad = this.undecodable.get(topic);
    const badNote = bad ? `, ${bad.count} undecodable (${bad.first})` : '';
    throw new CheckFailed(
      `no ${topic} event ${what} within ${formatMs(timeoutMs)} (${others} other event(s) on the topic${badNote})`,
    );
  }

  /** Messages that could not be decoded, per topic; reported in the summary even when every check passed. */
  undecodableCounts(): Record<string, number> {
    return Object.fromEntries([...this.undecodable].map(([topic, u]) => [topic, u.count]));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
