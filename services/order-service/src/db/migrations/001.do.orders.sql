-- Orders, their items, the checkout saga, idempotency keys, processed events and the transactional outbox.
-- MariaDB commits DDL implicitly, so every statement can run twice (a failed run is repeated whole).

CREATE TABLE IF NOT EXISTS orders (
  id               CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  -- Keyset pagination: a stable, increasing position independent of the random ids.
  seq              BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
  customer_id      VARCHAR(64) CHARACTER SET ascii NOT NULL,
  -- One order per cart, whoever asks and however often: the constraint settles concurrent checkouts.
  cart_id          VARCHAR(64) CHARACTER SET ascii NOT NULL,
  checkout_id      VARCHAR(64) CHARACTER SET ascii NOT NULL,
  region           VARCHAR(32) NOT NULL,
  currency         CHAR(3) CHARACTER SET ascii NOT NULL,
  subtotal_minor   BIGINT NOT NULL,
  total_minor      BIGINT NOT NULL,
  status           VARCHAR(16) NOT NULL,
  status_reason    VARCHAR(64) NULL,
  version          INT UNSIGNED NOT NULL DEFAULT 1,
  created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY orders_cart (cart_id),
  UNIQUE KEY orders_checkout (checkout_id),
  KEY orders_customer (customer_id, seq)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS order_items (
  order_id         CHAR(36) CHARACTER SET ascii NOT NULL,
  position         INT UNSIGNED NOT NULL,
  sku              VARCHAR(64) NOT NULL,
  quantity         INT UNSIGNED NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  line_total_minor BIGINT NOT NULL,
  region           VARCHAR(32) NOT NULL,
  PRIMARY KEY (order_id, position),
  CONSTRAINT order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- The checkout saga of an order: where it is, what each step did, and when the runner should look again.
CREATE TABLE IF NOT EXISTS checkout_sagas (
  order_id         CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  region           VARCHAR(32) NOT NULL,
  mode             VARCHAR(8) NOT NULL,
  phase            VARCHAR(16) NOT NULL,
  current_step     VARCHAR(16) NULL,
  -- JSON: per-step status, attempts and deadline, and what the steps learned (reservation and payment ids).
  state            LONGTEXT NOT NULL,
  next_run_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- A runner holds a saga while it works on it; an expired lease (crashed runner) lets another take over.
  lease_owner      CHAR(36) CHARACTER SET ascii NULL,
  lease_until      TIMESTAMP(6) NULL,
  created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY checkout_sagas_due (phase, next_run_at),
  CONSTRAINT checkout_sagas_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope_hash       CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  scope            TEXT NOT NULL,
  fingerprint      CHAR(64) CHARACTER SET ascii NOT NULL,
  state            VARCHAR(16) NOT NULL,
  response_status  INT NULL,
  response_type    VARCHAR(255) NULL,
  response_body    LONGTEXT NULL,
  created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY idempotency_keys_created (created_at)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS processed_events (
  consumer_group VARCHAR(128) NOT NULL,
  event_id       VARCHAR(64) NOT NULL,
  processed_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (consumer_group, event_id)
) ENGINE = InnoDB;

-- The outbox Debezium's order-outbox connector reads (docker/debezium/README.md); insert only.
CREATE TABLE IF NOT EXISTS outbox_events (
  id            CHAR(36) NOT NULL PRIMARY KEY,
  seq           BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
  aggregatetype VARCHAR(64) NOT NULL,
  aggregateid   VARCHAR(128) NOT NULL,
  topic         VARCHAR(249) NOT NULL,
  payload       LONGBLOB NOT NULL,
  region        VARCHAR(32) NOT NULL,
  occurred_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  traceparent   VARCHAR(128) NULL
) ENGINE = InnoDB;
