// Printed at the end of `make demo`: where to look first.
import { loadStackEnv } from './env.js';

const env = loadStackEnv();
const host = env.STACK_HOST;
console.log(`
The shop is up. Open:
  customer-service API docs   http://${host}:${env.CUSTOMER_PORT}/docs
  customer-service readiness  http://${host}:${env.CUSTOMER_PORT}/ready
  Prometheus                  http://${host}:${env.PROMETHEUS_PORT}
  Pushgateway                 http://${host}:${env.PUSHGATEWAY_PORT}
  Schema registry (ccompat)   http://${host}:${env.SCHEMA_REGISTRY_PORT}/apis/ccompat/v7/subjects
  Kafka Connect               http://${host}:${env.CONNECT_PORT}/connectors

A token to try the API with:
  curl -s -XPOST http://${host}:${env.CUSTOMER_PORT}/auth/dev-token -H 'content-type: application/json' \\
       -d '{"email":"seed-0000@eu-west.shop.example"}'

make status   every component, its address and memory
make down     stop everything (data kept)
`);
