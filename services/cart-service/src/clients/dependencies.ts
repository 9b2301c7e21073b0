import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, type Registry } from 'prom-client';
import { type CatalogClient, createCatalogClient } from './catalog-client.js';
import { createPricingClient, dependencyClient, type PricingClient } from './pricing-client.js';

export interface DependenciesOptions {
  pricingUrl: string;
  catalogUrl: string;
  timeoutMs: number;
  attempts: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  catalogCacheSeconds: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    pricing: PricingClient;
    catalog: CatalogClient;
  }
}

// Service tokens live an hour (the kit's signing default); one is reused for half of that.
const tokenReuseMs = 30 * 60 * 1000;

/** `app.pricing` and `app.catalog`: each with its own timeout, retries and circuit breaker. */
export const dependenciesPlugin = fp(
  async (app: FastifyInstance, options: DependenciesOptions) => {
    let token: { value: string; at: number } | undefined;
    const serviceToken = () => {
      if (!token || Date.now() - token.at > tokenReuseMs) {
        token = { value: app.jwt.sign({ sub: 'cart-service', roles: ['service'] }), at: Date.now() };
      }
      return token.value;
    };
    const circuit = new Gauge({
      name: 'cart_dependency_circuit_open',
      help: 'Whether the circuit to a dependency is open (1) or closed/half-open (0)',
      labelNames: ['dependency'],
      // The kit decorates `metrics` but its barrel does not carry that type augmentation.
      registers: [(app as unknown as { metrics: Registry }).metrics],
    });
    for (const dependency of ['pricing', 'catalog']) circuit.set({ dependency }, 0);
    const common = {
      timeoutMs: options.timeoutMs,
      attempts: options.attempts,
      breakerFailures: options.breakerFailures,
      breakerHalfOpenMs: options.breakerHalfOpenMs,
      token: serviceToken,
      onStateChange: (dependency: string, state: string) => {
        circuit.set({ dependency }, state === 'open' ? 1 : 0);
        app.log.warn({ dependency, circuit: state }, `circuit to ${dependency} is ${state}`);
      },
    };
    app.decorate(
      'pricing',
      createPricingClient(dependencyClient('pricing', { ...common, baseUrl: options.pricingUrl })),
    );
    app.decorate(
      'catalog',
      createCatalogClient(dependencyClient('catalog', { ...common, baseUrl: options.catalogUrl }), {
        cacheSeconds: options.catalogCacheSeconds,
      }),
    );
  },
  { name: 'cart-dependencies', dependencies: ['kit-auth', 'kit-metrics'] },
);
