// Loaded with `node --import @shop/common/telemetry dist/main.js`, before the application, so that the
// instrumentations patch http, fastify, pg, mysql2, ioredis and kafkajs as they are first imported.
// Spans are always created (their ids reach logs and problem responses); they are exported over OTLP only
// when OTEL_EXPORTER_OTLP_ENDPOINT is set.
import path from 'node:path';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const serviceName = process.env.OTEL_SERVICE_NAME || path.basename(process.cwd());

// Without an exporter spans are still recorded (so their ids reach logs and problems), then dropped.
const noExport: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

const sdk = new NodeSDK({
  serviceName,
  spanProcessors: endpoint
    ? [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
        }),
      ]
    : [noExport],
  instrumentations: [
    // Outgoing calls only: the server side of a request is Fastify's span, which continues an incoming
    // `traceparent` itself. Instrumenting the incoming side twice cost more than half of a cached read's
    // throughput (`pnpm bench customer`).
    new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: (opts) => opts.url === '/metrics' || opts.url === '/health',
    }),
    new PgInstrumentation(),
    new MySQL2Instrumentation(),
    new IORedisInstrumentation(),
    new KafkaJsInstrumentation(),
  ],
});
sdk.start();

process.once('beforeExit', () => {
  void sdk.shutdown();
});
