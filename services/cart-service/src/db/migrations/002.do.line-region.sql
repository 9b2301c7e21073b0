-- Every record carries its region, lines included, so a reader of cart_lines alone (an export, a replica
-- query) needs no join to tell regions apart. Re-runnable: each statement is a no-op the second time.
ALTER TABLE cart_lines ADD COLUMN IF NOT EXISTS region VARCHAR(32) NULL AFTER cart_id;
UPDATE cart_lines l JOIN carts c ON c.id = l.cart_id SET l.region = c.region WHERE l.region IS NULL;
ALTER TABLE cart_lines MODIFY region VARCHAR(32) NOT NULL;
