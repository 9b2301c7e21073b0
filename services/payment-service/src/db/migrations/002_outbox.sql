-- Up Migration
-- The transactional outbox read by Debezium (docker/debezium/connectors/payment-outbox.json); the shape is
-- the kit's outboxTableSql.pg, documented in docker/debezium/README.md. Insert only.
CREATE TABLE outbox_events (
  id            uuid PRIMARY KEY,
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  aggregatetype text NOT NULL,
  aggregateid   text NOT NULL,
  topic         text NOT NULL,
  payload       bytea NOT NULL,
  region        text NOT NULL,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  traceparent   text
);

-- Down Migration
DROP TABLE outbox_events;
