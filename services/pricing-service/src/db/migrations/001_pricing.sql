-- Up Migration

-- One book per region and currency; the region's default book prices currencies that have no book.
CREATE TABLE price_books (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  region text NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  is_default boolean NOT NULL DEFAULT false,
  -- Millisecond precision, so the keyset cursor (an ISO timestamp) round-trips exactly.
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT price_books_region_currency_key UNIQUE (region, currency)
);
CREATE UNIQUE INDEX price_books_one_default ON price_books (region) WHERE is_default;
CREATE INDEX price_books_created_at_id ON price_books (created_at, id);

CREATE TABLE base_prices (
  price_book_id uuid NOT NULL REFERENCES price_books (id) ON DELETE CASCADE,
  sku text NOT NULL,
  -- The book's region, repeated so every row says where it applies.
  region text NOT NULL,
  category text,
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (price_book_id, sku)
);

CREATE TABLE price_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  description text,
  region text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- Higher wins; see docs/design/decisions/070-pricing-rules-and-rounding.md.
  priority integer NOT NULL,
  match_sku text,
  match_category text,
  match_segment text,
  type text NOT NULL CHECK (type IN ('percent_off', 'amount_off', 'fixed_price')),
  percent_off_bp integer CHECK (percent_off_bp BETWEEN 1 AND 10000),
  amount_minor bigint CHECK (amount_minor >= 0),
  -- Amounts are in one currency and are never converted; a percentage may name one or none.
  currency char(3),
  -- The quantity break: the rule is eligible from this many units on one line.
  min_quantity integer NOT NULL DEFAULT 1 CHECK (min_quantity >= 1),
  valid_from timestamptz(3),
  valid_to timestamptz(3),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT price_rules_window CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_to > valid_from),
  CONSTRAINT price_rules_target CHECK (
    match_sku IS NOT NULL OR match_category IS NOT NULL OR match_segment IS NOT NULL
  ),
  CONSTRAINT price_rules_effect CHECK (
    CASE type
      WHEN 'percent_off' THEN percent_off_bp IS NOT NULL AND amount_minor IS NULL
      ELSE amount_minor IS NOT NULL AND currency IS NOT NULL AND percent_off_bp IS NULL
    END
  )
);
CREATE INDEX price_rules_region_enabled ON price_rules (region) WHERE enabled;
CREATE INDEX price_rules_created_at_id ON price_rules (created_at, id);

-- Units of `currency` per one unit of `base` at `as_of`. Reference data for every region alike.
CREATE TABLE exchange_rates (
  base char(3) NOT NULL,
  currency char(3) NOT NULL,
  rate numeric(24, 12) NOT NULL CHECK (rate > 0),
  as_of timestamptz(3) NOT NULL,
  source text NOT NULL,
  loaded_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (base, currency, as_of)
);

-- A quote is a snapshot: it keeps the book's and rules' names and figures as they were, so it has no
-- foreign keys to them and outlives their changes.
CREATE TABLE quotes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  region text NOT NULL,
  currency char(3) NOT NULL,
  customer_id uuid,
  segment text,
  -- The token subject that asked for the quote: it may read it back.
  requested_by text NOT NULL,
  price_book jsonb NOT NULL,
  conversion jsonb,
  subtotal_minor bigint NOT NULL,
  discount_minor bigint NOT NULL,
  total_minor bigint NOT NULL,
  priced_at timestamptz(3) NOT NULL,
  expires_at timestamptz(3) NOT NULL
);
CREATE INDEX quotes_customer ON quotes (customer_id, priced_at) WHERE customer_id IS NOT NULL;

CREATE TABLE quote_lines (
  quote_id uuid NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  region text NOT NULL,
  sku text NOT NULL,
  category text,
  quantity integer NOT NULL CHECK (quantity > 0),
  base_unit_price_minor bigint NOT NULL,
  list_unit_price_minor bigint NOT NULL,
  unit_discount_minor bigint NOT NULL,
  unit_price_minor bigint NOT NULL,
  line_total_minor bigint NOT NULL,
  line_discount_minor bigint NOT NULL,
  rules_applied jsonb NOT NULL,
  PRIMARY KEY (quote_id, line_no)
);

CREATE TABLE idempotency_keys (
  scope text PRIMARY KEY,
  fingerprint text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'done')),
  response_status integer,
  response_type text,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- The transactional outbox, exactly as docker/debezium/README.md defines it (pricing-outbox connector).
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
DROP TABLE idempotency_keys;
DROP TABLE quote_lines;
DROP TABLE quotes;
DROP TABLE exchange_rates;
DROP TABLE price_rules;
DROP TABLE base_prices;
DROP TABLE price_books;
