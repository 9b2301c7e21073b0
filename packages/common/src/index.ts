export type { JWT } from '@fastify/jwt';
export type { FastifyPluginAsyncZod as RoutesPlugin, ZodTypeProvider } from 'fastify-type-provider-zod';
export { assertSelfOrRole, type Claims, hasRole, type Role, roles } from './auth.js';
export { ConfigError, type KitConfig, kitConfigSchema, loadConfig, parseConfig } from './config.js';
export {
  type ConsumeOptions,
  type ConsumerHandle,
  consume,
  type Decoder,
  type EventHandler,
  type EventMeta,
  mysqlProcessedStore,
  PoisonMessageError,
  type ProcessedStore,
  pgProcessedStore,
  processedEventsTableSql,
} from './consumer.js';
export { couchCall, couchdbPlugin, couchStatus, createCouch, isCouchUnavailable } from './couchdb.js';
export {
  DomainError,
  defineErrors,
  type ErrorCatalog,
  type ErrorDefinition,
  errorFactory,
  isUnavailable,
  kitErrors,
} from './errors.js';
export { createEventEncoder, type EventEncoder } from './event-encoder.js';
export { type BackoffOptions, backoffDelay, backoffSchedule } from './events/backoff.js';
export {
  dlqHeaderNames,
  dlqHeaders,
  eventHeaders,
  eventIdOf,
  headersToRecord,
  outboxHeaders,
  type ParkReason,
} from './events/headers.js';
export { type CheckResult, type ReadinessCheck, runChecks } from './health.js';
export {
  type CircuitStateName,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
} from './http-client.js';
export {
  type BeginResult,
  fingerprint,
  type IdempotencyStore,
  idempotencyPlugin,
  pgIdempotencyStore,
  type StoredResponse,
} from './idempotency.js';
export { createKafka, ensureTopics, type KafkaOptions } from './kafka.js';
export { loggerOptions, redactPaths } from './logger.js';
// Exported so that `app.metrics` (a module augmentation) is typed wherever the kit is imported.
export { metricsPlugin } from './metrics.js';
export {
  createMysqlPool,
  type MysqlOptions,
  migrateMysql,
  mysqlIdempotencyStore,
  mysqlPlugin,
  mysqlTransaction,
} from './mysql.js';
export { createObjectStore, type ObjectStore, objectStorePlugin } from './object-store.js';
export { openApiYaml, writeOpenApi } from './openapi.js';
export {
  CASSANDRA_OUTBOX_BUCKETS,
  type CqlStatement,
  cassandraOutboxInsert,
  currentTraceparent,
  type MysqlQueryable,
  type OutboxEvent,
  outboxBucket,
  outboxTableSql,
  type PgQueryable,
  writeOutboxMysql,
  writeOutboxPg,
} from './outbox.js';
export { type Cursor, decodeCursor, encodeCursor } from './pagination.js';
export {
  createPgPool,
  migratePostgres,
  type PostgresOptions,
  pgTransaction,
  postgresPlugin,
} from './postgres.js';
export { PROBLEM_CONTENT_TYPE, type Problem, sendProblem, toProblem } from './problem.js';
export { createRedis, type RedisOptions, redisPlugin } from './redis.js';
export { type Region, regions } from './regions.js';
export {
  type CassandraRelayOptions,
  type CouchChange,
  type CouchChangesOptions,
  cassandraRowToMessage,
  startCassandraRelay,
  startCouchChangesWorker,
  type WorkerHandle,
} from './relay.js';
export { type ServeOptions, serve } from './run.js';
export { problemResponses, problemSchema } from './schemas.js';
export { createService, type Service, type ServiceOptions } from './server.js';
