// What catalog-service publishes: `catalog.product.upserted.v1`, from the database's `_changes` feed rather
// than from the request path, so a write made around the service (a migration, the schema-drift incident)
// is published too. The kit's worker saves its position only after Kafka acknowledged, so a committed
// change is never lost; a repeat after a crash carries the same event id.
import {
  type CouchChange,
  createKafka,
  dlqHeaders,
  ensureTopics,
  type KafkaOptions,
  outboxHeaders,
  startCouchChangesWorker,
  type WorkerHandle,
} from '@shop/common';
import { type CatalogProductUpserted, createRegistry, encodeEvent } from '@shop/contracts';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { IHeaders, Producer } from 'kafkajs';
import { Counter } from 'prom-client';
import { judgeEntry } from '../domain/product-event.js';

export const productUpsertedTopic = 'catalog.product.upserted.v1';
export const productUpsertedDlq = `${productUpsertedTopic}.dlq`;
/** The worker's name: its checkpoint is `_local/changes-catalog-product-events` in the catalog database. */
export const workerName = 'catalog-product-events';

export interface ProductEventsOptions {
  database: string;
  brokers: string[];
  registryUrl: string;
}

/**
 * Starts the publisher once the app is ready and keeps trying while Kafka, the registry or the database
 * is away, so the service starts (and serves) without them; stops it when the app closes.
 */
export const productEventsPlugin = fp(
  async (app: FastifyInstance, options: ProductEventsOptions) => {
    const published = new Counter({
      name: 'catalog_product_events_total',
      help: 'Entries of the _changes feed handled by the product event publisher, by outcome',
      labelNames: ['outcome'],
      registers: [app.metrics],
    });
    // Fastify's logger is pino; its type only lacks pino's `msgPrefix`, which neither caller reads.
    const logger = app.log as unknown as NonNullable<KafkaOptions['logger']>;
    const kafka = createKafka({ brokers: options.brokers, clientId: 'catalog-service', logger });
    const registry = createRegistry(options.registryUrl);
    const db = app.couch.use<Record<string, unknown>>(options.database);
    let producer: Producer | undefined;
    let worker: WorkerHandle | undefined;
    const closing = new AbortController();

    async function publish(change: CouchChange<Record<string, unknown>>): Promise<void> {
      const verdict = judgeEntry({ id: change.id, deleted: change.deleted, doc: change.doc });
      if (verdict.action === 'skip') {
        published.inc({ outcome: `skipped-${verdict.reason.replace(/ /g, '-')}` });
        return;
      }
      if (verdict.action === 'reject') {
        // Parked with the document as it was, never dropped: the drift is visible on the DLQ and in metrics.
        app.log.warn(
          { id: change.id, reason: verdict.reason },
          'product document cannot be published; parked',
        );
        await producer!.send({
          topic: productUpsertedDlq,
          acks: -1,
          messages: [
            {
              key: change.id.replace(/^product:/, ''),
              value: Buffer.from(JSON.stringify(change.doc ?? null)),
              headers: dlqHeaders({
                original: { source: 'couchdb-changes', document_id: change.id },
                reason: 'rejected',
                error: new Error(verdict.reason),
                attempts: 1,
                topic: productUpsertedTopic,
                partition: -1,
                offset: String(change.seq),
                groupId: workerName,
                failedAt: new Date(),
              }),
            },
          ],
        });
        published.inc({ outcome: 'rejected' });
        return;
      }
      const record = verdict.record;
      const payload = await encodeEvent(registry, productUpsertedTopic, record as CatalogProductUpserted);
      await producer!.send({
        topic: productUpsertedTopic,
        acks: -1,
        messages: [
          {
            key: record.aggregate_id,
            value: payload,
            headers: outboxHeaders({
              eventId: record.event_id,
              aggregateType: 'product',
              region: record.region,
              occurredAt: new Date(record.occurred_at),
            }) as IHeaders,
          },
        ],
      });
      published.inc({ outcome: 'published' });
    }

    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        closing.signal.addEventListener('abort', wake, { once: true });
      });

    async function start(): Promise<void> {
      for (let attempt = 1; !closing.signal.aborted; attempt++) {
        let candidate: Producer | undefined;
        try {
          await ensureTopics(kafka, [productUpsertedTopic, productUpsertedDlq]);
          candidate = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
          await candidate.connect();
          producer = candidate;
          const started = await startCouchChangesWorker({
            db,
            name: workerName,
            handler: publish,
            logger,
            registry: app.metrics,
          });
          // Closed while starting: onClose has run already and cannot see what was made after it.
          if (closing.signal.aborted) {
            await started.stop();
            await candidate.disconnect().catch(() => undefined);
            return;
          }
          worker = started;
          app.log.info('product event publisher following the catalog _changes feed');
          return;
        } catch (err) {
          await candidate?.disconnect().catch(() => undefined);
          producer = undefined;
          if (closing.signal.aborted) return;
          app.log.warn(
            { err: (err as Error).message, attempt },
            'product event publisher could not start; retrying',
          );
          await pause(Math.min(1000 * attempt, 10_000));
        }
      }
    }

    app.addHook('onReady', async () => {
      // Not awaited: ready must not wait for Kafka; a kafkajs connect cannot be cancelled, only outlived.
      void start();
    });
    // Optional: the API works without Kafka; the feed waits and nothing is lost.
    app.addReadinessCheck({
      name: 'product-events',
      optional: true,
      check: async () => {
        if (!worker) throw new Error('the publisher has not started yet');
      },
    });
    app.addHook('onClose', async () => {
      closing.abort();
      await worker?.stop();
      await producer?.disconnect().catch(() => undefined);
    });
  },
  { name: 'product-events', dependencies: ['kit-couchdb', 'kit-health'] },
);
