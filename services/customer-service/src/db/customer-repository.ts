import { type Cursor, pgTransaction, type Region } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Address, Customer } from '../domain/customer.js';
import { changedFields } from '../domain/customer.js';
import { fail } from '../errors.js';
import type { CustomerEvents } from '../events/customer-events.js';

export interface NewCustomer {
  email: string;
  name: string;
  region: Region;
}

export type CustomerChanges = Partial<NewCustomer>;

export interface NewAddress {
  label: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
  isDefault?: boolean;
}

export interface SegmentCount {
  region: Region;
  lifetimeSpendMinor: number;
  lastOrderAt: string | null;
}

const customerColumns =
  'id, email, name, region, lifetime_spend_minor, last_order_at, created_at, updated_at';
const addressColumns =
  'id, customer_id, label, line1, line2, city, postal_code, country, is_default, created_at, updated_at';

function toCustomer(row: Record<string, unknown>): Customer {
  return {
    id: String(row.id),
    email: String(row.email),
    name: String(row.name),
    region: row.region as Region,
    lifetimeSpendMinor: Number(row.lifetime_spend_minor),
    lastOrderAt: row.last_order_at ? (row.last_order_at as Date).toISOString() : null,
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

function toAddress(row: Record<string, unknown>): Address {
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    label: String(row.label),
    line1: String(row.line1),
    line2: (row.line2 as string | null) ?? null,
    city: String(row.city),
    postalCode: String(row.postal_code),
    country: String(row.country),
    isDefault: Boolean(row.is_default),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === constraint;
}

export function createCustomerRepository(pool: pg.Pool, events: CustomerEvents) {
  return {
    /** Inserts the customer and its `customer.registered.v1` in one transaction. */
    async create(input: NewCustomer): Promise<Customer> {
      try {
        return await pgTransaction(pool, async (client) => {
          const { rows } = await client.query(
            `INSERT INTO customers (email, name, region) VALUES ($1, $2, $3) RETURNING ${customerColumns}`,
            [input.email, input.name, input.region],
          );
          const customer = toCustomer(rows[0]!);
          await events.registered(client, customer);
          return customer;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'customers_email_key'))
          throw fail('EMAIL_TAKEN', `${input.email} is already registered`);
        throw err;
      }
    },

    async get(id: string): Promise<Customer | undefined> {
      const { rows } = await pool.query(`SELECT ${customerColumns} FROM customers WHERE id = $1`, [id]);
      return rows[0] ? toCustomer(rows[0]) : undefined;
    },

    async getByEmail(email: string): Promise<Customer | undefined> {
      const { rows } = await pool.query(`SELECT ${customerColumns} FROM customers WHERE email = $1`, [email]);
      return rows[0] ? toCustomer(rows[0]) : undefined;
    },

    /** Keyset page ordered by (created_at, id); `limit + 1` rows tell whether another page exists. */
    async list(filter: {
      region?: Region;
      after?: Cursor;
      limit: number;
    }): Promise<{ items: Customer[]; more: boolean }> {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.region) {
        values.push(filter.region);
        where.push(`region = $${values.length}`);
      }
      if (filter.after) {
        values.push(filter.after.createdAt, filter.after.id);
        where.push(`(created_at, id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
      }
      values.push(filter.limit + 1);
      const { rows } = await pool.query(
        `SELECT ${customerColumns} FROM customers ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at, id LIMIT $${values.length}`,
        values,
      );
      return { items: rows.slice(0, filter.limit).map(toCustomer), more: rows.length > filter.limit };
    },

    /** Applies the changes and writes `customer.updated.v1` naming the fields that really changed. */
    async update(id: string, changes: CustomerChanges): Promise<Customer> {
      try {
        return await pgTransaction(pool, async (client) => {
          const before = await client.query(
            `SELECT ${customerColumns} FROM customers WHERE id = $1 FOR UPDATE`,
            [id],
          );
          if (!before.rows[0]) throw fail('CUSTOMER_NOT_FOUND', `customer ${id} does not exist`);
          const current = toCustomer(before.rows[0]);
          const changed = changedFields(current, changes);
          if (changed.length === 0) return current; // nothing to write, nothing to announce
          const { rows } = await client.query(
            `UPDATE customers SET email = COALESCE($2, email), name = COALESCE($3, name), region = COALESCE($4, region),
               updated_at = now()
             WHERE id = $1 RETURNING ${customerColumns}`,
            [id, changes.email ?? null, changes.name ?? null, changes.region ?? null],
          );
          const customer = toCustomer(rows[0]!);
          await events.updated(client, customer, changed);
          return customer;
        });
      } catch (err) {
        if (isUniqueViolation(err, 'customers_email_key'))
          throw fail('EMAIL_TAKEN', `${changes.email} is already registered`);
        throw err;
      }
    },

    async remove(id: string): Promise<void> {
      const { rowCount } = await pool.query('DELETE FROM customers WHERE id = $1', [id]);
      if (rowCount === 0) throw fail('CUSTOMER_NOT_FOUND', `customer ${id} does not exist`);
    },

    /** Records a completed purchase: adds to lifetime spend and moves last_order_at forward, never back. */
    async recordPurchase(id: string, amountMinor: number, at: Date): Promise<Customer> {
      const { rows } = await pool.query(
        `UPDATE customers SET lifetime_spend_minor = lifetime_spend_minor + $2,
           last_order_at = GREATEST(COALESCE(last_order_at, $3), $3), updated_at = now()
         WHERE id = $1 RETURNING ${customerColumns}`,
        [id, amountMinor, at],
      );
      if (!rows[0]) throw fail('CUSTOMER_NOT_FOUND', `customer ${id} does not exist`);
      return toCustomer(rows[0]);
    },

    /** What segmentation needs of every customer, optionally in one region. */
    async segmentInputs(region?: Region): Promise<SegmentCount[]> {
      const { rows } = await pool.query(
        `SELECT region, lifetime_spend_minor, last_order_at FROM customers ${region ? 'WHERE region = $1' : ''}`,
        region ? [region] : [],
      );
      return rows.map((r) => ({
        region: r.region as Region,
        lifetimeSpendMinor: Number(r.lifetime_spend_minor),
        lastOrderAt: r.last_order_at ? (r.last_order_at as Date).toISOString() : null,
      }));
    },

    async listAddresses(customerId: string): Promise<Address[]> {
      const { rows } = await pool.query(
        `SELECT ${addressColumns} FROM addresses WHERE customer_id = $1 ORDER BY created_at, id`,
        [customerId],
      );
      return rows.map(toAddress);
    },

    /** Adds an address; making it the default clears the previous default in the same transaction. */
    async addAddress(customerId: string, input: NewAddress): Promise<Address> {
      return pgTransaction(pool, async (client) => {
        const owner = await client.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
        if (owner.rowCount === 0) throw fail('CUSTOMER_NOT_FOUND', `customer ${customerId} does not exist`);
        if (input.isDefault) {
          await client.query(
            'UPDATE addresses SET is_default = false WHERE customer_id = $1 AND is_default',
            [customerId],
          );
        }
        const { rows } = await client.query(
          `INSERT INTO addresses (customer_id, label, line1, line2, city, postal_code, country, is_default)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${addressColumns}`,
          [
            customerId,
            input.label,
            input.line1,
            input.line2 ?? null,
            input.city,
            input.postalCode,
            input.country,
            input.isDefault ?? false,
          ],
        );
        return toAddress(rows[0]!);
      });
    },

    async updateAddress(
      customerId: string,
      addressId: string,
      changes: Partial<NewAddress>,
    ): Promise<Address> {
      return pgTransaction(pool, async (client) => {
        const owner = await client.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
        if (owner.rowCount === 0) throw fail('CUSTOMER_NOT_FOUND', `customer ${customerId} does not exist`);
        if (changes.isDefault) {
          await client.query(
            'UPDATE addresses SET is_default = false WHERE customer_id = $1 AND is_default AND id <> $2',
            [customerId, addressId],
          );
        }
        const { rows } = await client.query(
          `UPDATE addresses SET label = COALESCE($3, label), line1 = COALESCE($4, line1),
             line2 = CASE WHEN $5::boolean THEN $6 ELSE line2 END, city = COALESCE($7, city),
             postal_code = COALESCE($8, postal_code), country = COALESCE($9, country),
             is_default = COALESCE($10, is_default), updated_at = now()
           WHERE id = $2 AND customer_id = $1 RETURNING ${addressColumns}`,
          [
            customerId,
            addressId,
            changes.label ?? null,
            changes.line1 ?? null,
            changes.line2 !== undefined,
            changes.line2 ?? null,
            changes.city ?? null,
            changes.postalCode ?? null,
            changes.country ?? null,
            changes.isDefault ?? null,
          ],
        );
        if (!rows[0])
          throw fail('ADDRESS_NOT_FOUND', `address ${addressId} does not exist for customer ${customerId}`);
        return toAddress(rows[0]);
      });
    },

    async removeAddress(customerId: string, addressId: string): Promise<void> {
      const { rowCount } = await pool.query('DELETE FROM addresses WHERE id = $1 AND customer_id = $2', [
        addressId,
        customerId,
      ]);
      if (rowCount === 0)
        throw fail('ADDRESS_NOT_FOUND', `address ${addressId} does not exist for customer ${customerId}`);
    },
  };
}

export type CustomerRepository = ReturnType<typeof createCustomerRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    customers: CustomerRepository;
  }
}

export const customerRepositoryPlugin = fp(
  async (app: FastifyInstance, options: { events: CustomerEvents }) => {
    app.decorate('customers', createCustomerRepository(app.pg, options.events));
  },
  { name: 'customer-repository', dependencies: ['kit-postgres'] },
);
