-- Carts, their lines, checkouts, idempotency keys and the transactional outbox.
-- MariaDB commits DDL implicitly, so every statement can run twice (a failed run is repeated whole).

CREATE TABLE IF NOT EXISTS carts (
  id               CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  customer_id      CHAR(36) CHARACTER SET ascii NULL,
  -- SHA-256 of a guest cart's bearer secret; the secret itself is never stored.
  guest_token_hash CHAR(64) CHARACTER SET ascii NULL,
  region           VARCHAR(32) NOT NULL,
  currency         CHAR(3) CHARACTER SET ascii NOT NULL,
  status           ENUM('open', 'checked_out', 'merged') NOT NULL DEFAULT 'open',
  version          INT UNSIGNED NOT NULL DEFAULT 1,
  merged_into      CHAR(36) CHARACTER SET ascii NULL,
  created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- One open cart per customer and region: a NULL in the key (guest carts, closed carts) never collides.
  open_flag        TINYINT AS (IF(status = 'open', 1, NULL)) PERSISTENT,
  UNIQUE KEY carts_open_per_customer (customer_id, region, open_flag)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS cart_lines (
  cart_id          CHAR(36) CHARACTER SET ascii NOT NULL,
  sku              VARCHAR(64) NOT NULL,
  name             VARCHAR(300) NOT NULL,
  quantity         INT UNSIGNED NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  currency         CHAR(3) CHARACTER SET ascii NOT NULL,
  quote_id         VARCHAR(100) NOT NULL,
  rules_applied    TEXT NOT NULL,
  priced_at        TIMESTAMP(6) NOT NULL,
  needs_reprice    BOOLEAN NOT NULL DEFAULT FALSE,
  added_at         TIMESTAMP(6) NOT NULL,
  position         INT UNSIGNED NOT NULL,
  PRIMARY KEY (cart_id, sku),
  CONSTRAINT cart_lines_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- A cart checks out once: the primary key is the guarantee, the stored result is what every later call
-- answers.
CREATE TABLE IF NOT EXISTS checkouts (
  cart_id          CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  id               CHAR(36) CHARACTER SET ascii NOT NULL UNIQUE,
  customer_id      CHAR(36) CHARACTER SET ascii NOT NULL,
  region           VARCHAR(32) NOT NULL,
  currency         CHAR(3) CHARACTER SET ascii NOT NULL,
  subtotal_minor   BIGINT NOT NULL,
  result           LONGTEXT NOT NULL,
  created_at       TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  CONSTRAINT checkouts_cart FOREIGN KEY (cart_id) REFERENCES carts (id)
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

-- The outbox Debezium's cart-outbox connector reads (docker/debezium/README.md); insert only.
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
