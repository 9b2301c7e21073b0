// Grafana, Loki with its log shipper, the OpenTelemetry Collector and Jaeger run only under Docker Compose.
// The native runtime lists them so `make status` says plainly that they are not running here: logs stay in
// .stack/<component>/*.log, metrics in Prometheus, and traces are exported only when
// OTEL_EXPORTER_OTLP_ENDPOINT points at a collector.
import type { Component } from '../runtime.js';

const composeOnly = (
  name: string,
  summary: string,
  address: (env: Record<string, string>) => string,
): Component => ({
  name,
  summary,
  order: 60,
  composeOnly: true,
  address,
  ports: () => [],
});

export default [
  composeOnly(
    'grafana',
    'Grafana with provisioned datasources',
    (env) => `http://${env.STACK_HOST}:${env.GRAFANA_PORT}`,
  ),
  composeOnly('loki', 'Loki and its log shipper', (env) => `http://${env.STACK_HOST}:${env.LOKI_PORT}`),
  composeOnly(
    'otel-collector',
    'OpenTelemetry Collector (OTLP over HTTP)',
    (env) => `http://${env.STACK_HOST}:${env.OTLP_HTTP_PORT}`,
  ),
  composeOnly('jaeger', 'Jaeger trace UI', () => 'behind Grafana (Compose)'),
];
