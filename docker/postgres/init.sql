-- Roles and databases for every PostgreSQL-backed service, plus the schema registry's storage.
-- Idempotent: run by the native runtime's bootstrap on every `make up`, and by the postgres image on first start.
-- Development passwords only; they match .env.example.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', r.name, r.name || '-dev')
FROM (VALUES ('customer'), ('pricing'), ('payment'), ('fulfillment'), ('support'), ('notification'), ('registry')) AS r(name)
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name)
\gexec

SELECT format('CREATE DATABASE %I OWNER %I', d.name, d.name)
FROM (VALUES ('customer'), ('pricing'), ('payment'), ('fulfillment'), ('support'), ('notification'), ('registry')) AS d(name)
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d.name)
\gexec

-- Debezium reads the outboxes through logical replication with its own role.
SELECT 'CREATE ROLE debezium LOGIN REPLICATION PASSWORD ''debezium-dev'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'debezium')
\gexec

-- ---------------------------------------------------------------------------------------------------------
-- Debezium outbox capture (added with Kafka Connect; see docker/debezium/README.md).
-- The connectors run with publication.autocreate.mode=filtered: on every start Debezium creates or
-- ALTERs its publication to exactly the outbox table, and PostgreSQL allows that only to a table's owner.
-- Membership in each service's role gives debezium those owner rights (and CREATE on the database, which
-- the service role owns) without superuser. Verified against Debezium 3.2: with only SELECT on the table,
-- or with a publication pre-created by the owner, the task fails ("must be owner of ...").
-- Trade-off, acceptable for a local lab: debezium can also write the service's tables. Where that is not
-- acceptable, let each service's migration create the publication and run the connector with
-- publication.autocreate.mode=disabled and SELECT on the outbox only.
SELECT format('GRANT %I TO debezium', r.name)
FROM (VALUES ('customer'), ('pricing'), ('payment'), ('fulfillment'), ('support'), ('notification')) AS r(name)
WHERE NOT pg_has_role('debezium', r.name, 'MEMBER')
\gexec
