-- Up Migration
-- Payments and their double-entry ledger. Amounts are integer minor units of `currency`; every row names
-- the region it belongs to.
CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id text NOT NULL,
  customer_id text NOT NULL,
  region text NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  captured_minor bigint NOT NULL DEFAULT 0,
  refunded_minor bigint NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (
    status IN ('pending', 'authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'failed')
  ),
  -- Card data is reduced to a keyed token, the last four digits and the brand before it reaches SQL.
  card_token text,
  card_last4 char(4) CHECK (card_last4 ~ '^[0-9]{4}$'),
  card_brand text,
  psp_reference text,
  failure_reason text,
  failure_detail text,
  expires_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT payments_captured_range CHECK (captured_minor >= 0 AND captured_minor <= amount_minor),
  CONSTRAINT payments_refunded_range CHECK (refunded_minor >= 0 AND refunded_minor <= captured_minor)
);
-- One live payment per order: the guarantee against a double charge, whatever the callers' keys. A declined
-- attempt does not count, so the order may be paid with another card.
CREATE UNIQUE INDEX payments_live_order ON payments (order_id) WHERE status <> 'failed';
CREATE INDEX payments_customer ON payments (customer_id);

CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id uuid NOT NULL REFERENCES payments (id),
  region text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  reason text,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX refunds_payment ON refunds (payment_id);

CREATE TABLE accounts (
  id serial PRIMARY KEY,
  code text NOT NULL CHECK (
    code IN ('customer_funds', 'authorization_holds', 'psp_clearing', 'merchant_revenue', 'refunds')
  ),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  region text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT accounts_code_currency_region UNIQUE (code, currency, region)
);

CREATE TABLE journal_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id uuid NOT NULL REFERENCES payments (id),
  kind text NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
  currency char(3) NOT NULL,
  region text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX journal_entries_payment ON journal_entries (payment_id);

-- Positive amounts are debits, negative ones credits.
CREATE TABLE journal_lines (
  id bigserial PRIMARY KEY,
  entry_id uuid NOT NULL REFERENCES journal_entries (id),
  account_id integer NOT NULL REFERENCES accounts (id),
  region text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0)
);
CREATE INDEX journal_lines_entry ON journal_lines (entry_id);
CREATE INDEX journal_lines_account ON journal_lines (account_id);

-- The domain builds balanced entries; this is the database's own proof, checked at COMMIT (deferred), when
-- every line of the entry is in: at least two lines, one currency (the entry's), summing to zero.
CREATE FUNCTION journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  total numeric;
  lines integer;
  foreign_lines integer;
BEGIN
  SELECT coalesce(sum(l.amount_minor), 0), count(*), count(*) FILTER (WHERE a.currency <> e.currency)
    INTO total, lines, foreign_lines
    FROM journal_lines l
    JOIN accounts a ON a.id = l.account_id
    JOIN journal_entries e ON e.id = l.entry_id
   WHERE l.entry_id = NEW.entry_id;
  IF total <> 0 OR lines < 2 OR foreign_lines > 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance (sum %, % lines, % in another currency)',
      NEW.entry_id, total, lines, foreign_lines
      USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_balanced';
  END IF;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER journal_lines_balanced
  AFTER INSERT ON journal_lines DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced();

-- The ledger is append-only: a correction is a new entry, never an edit.
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only' USING ERRCODE = '42501';
END;
$$;
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();

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

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE journal_lines;
DROP TABLE journal_entries;
DROP FUNCTION journal_append_only();
DROP FUNCTION journal_entry_balanced();
DROP TABLE accounts;
DROP TABLE refunds;
DROP TABLE payments;
