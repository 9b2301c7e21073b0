-- Databases and users on the MySQL-family primary: one database per MySQL-backed service (cart, order),
-- the Debezium connector's user and the replica's replication user.
-- Idempotent: run by the native runtime's bootstrap on every `make up`, and by the MariaDB image on first start.
-- Runs on the primary only; the replica receives all of it through replication.
-- Development passwords only; they match .env.example.

CREATE DATABASE IF NOT EXISTS `cart` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `order` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'cart'@'%' IDENTIFIED BY 'cart-dev';
GRANT ALL PRIVILEGES ON `cart`.* TO 'cart'@'%';

CREATE USER IF NOT EXISTS 'order'@'%' IDENTIFIED BY 'order-dev';
GRANT ALL PRIVILEGES ON `order`.* TO 'order'@'%';

-- Debezium's MariaDB connector: SELECT/RELOAD/SHOW DATABASES for the initial snapshot, REPLICATION SLAVE to
-- stream the binlog, REPLICATION CLIENT (MariaDB 10.5+ calls it BINLOG MONITOR) for SHOW MASTER STATUS and
-- SHOW BINARY LOGS, LOCK TABLES for snapshots that fall back to table locks instead of a global read lock.
CREATE USER IF NOT EXISTS 'debezium'@'%' IDENTIFIED BY 'debezium-dev';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'debezium'@'%';

-- The replica's IO thread logs in with this user (MYSQL_REPLICATION_USER / MYSQL_REPLICATION_PASSWORD).
CREATE USER IF NOT EXISTS 'replicator'@'%' IDENTIFIED BY 'replicator-dev';
GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'%';
