import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { authPlugin } from './auth.js';
import type { KitConfig } from './config.js';
import type { ErrorCatalog } from './errors.js';
import { healthPlugin } from './health.js';
import { loggerOptions } from './logger.js';
import { metricsPlugin } from './metrics.js';
import { problemPlugin } from './problem.js';

const quietPaths = new Set(['/metrics', '/health', '/ready']);

export interface ServiceOptions {
  /** Short name, e.g. `customer`; appears in logs, metrics and the OpenAPI title. */
  name: string;
  version?: string;
  description?: string;
  config: KitConfig;
  /** The service's error catalogue (src/errors.ts). */
  errors: ErrorCatalog;
  /** Largest accepted body in bytes (default 1 MiB). */
  bodyLimit?: number;
}

export type ServiceApp = FastifyInstance & { withTypeProvider: FastifyInstance['withTypeProvider'] };

/**
 * A Fastify instance with the kit's defaults: pino logging with request and trace ids, problem+json
 * errors, /health, /ready, /metrics, JWT auth, zod validation and OpenAPI 3.1 at /docs.
 * Register the service's own plugins and routes on the result; it never listens by itself.
 */
export async function createService(options: ServiceOptions) {
  const { config } = options;
  const app = Fastify({
    logger: loggerOptions(`${options.name}-service`, config.LOG_LEVEL, config.LOG_PRETTY),
    requestIdHeader: 'x-request-id',
    // Probes and scrapes arrive every few seconds; logging each would drown the requests that matter.
    logController: new LogController({
      requestIdLogLabel: 'request_id',
      disableRequestLogging: (req: { url?: string }) => quietPaths.has(req.url ?? ''),
    }),
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  await app.register(problemPlugin, { catalog: options.errors });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${options.name}-service`,
        version: options.version ?? '0.1.0',
        ...(options.description ? { description: options.description } : {}),
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  await app.register(metricsPlugin, { service: options.name });
  await app.register(healthPlugin, {});
  await app.register(authPlugin, { secret: config.JWT_SECRET, issuer: config.JWT_ISSUER });
  return app;
}

export type Service = Awaited<ReturnType<typeof createService>>;
