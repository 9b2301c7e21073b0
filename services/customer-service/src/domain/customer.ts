// Customer rules with no I/O: normalisation, segments, cursors.
import type { Region } from '@shop/common';

export interface Customer {
  id: string;
  email: string;
  name: string;
  region: Region;
  /** Lifetime spend in minor units of the shop's reporting currency (EUR cents). */
  lifetimeSpendMinor: number;
  lastOrderAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Address {
  id: string;
  customerId: string;
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  country: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Emails compare case-insensitively and without surrounding spaces; stored in that form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const spendTiers = ['none', 'bronze', 'silver', 'gold'] as const;
export type SpendTier = (typeof spendTiers)[number];

/** Tier thresholds in EUR cents: bronze from the first cent, silver from 100 EUR, gold from 1,000 EUR. */
export function spendTier(lifetimeSpendMinor: number): SpendTier {
  if (lifetimeSpendMinor <= 0) return 'none';
  if (lifetimeSpendMinor < 100_00) return 'bronze';
  if (lifetimeSpendMinor < 1000_00) return 'silver';
  return 'gold';
}

export const recencies = ['active', 'lapsing', 'dormant', 'never'] as const;
export type Recency = (typeof recencies)[number];

const day = 24 * 60 * 60 * 1000;

/** Active: ordered within 30 days; lapsing: within 90; dormant: longer ago; never: no order yet. */
export function recency(lastOrderAt: Date | null, now: Date): Recency {
  if (!lastOrderAt) return 'never';
  const age = now.getTime() - lastOrderAt.getTime();
  if (age <= 30 * day) return 'active';
  if (age <= 90 * day) return 'lapsing';
  return 'dormant';
}

export interface Segment {
  region: Region;
  spendTier: SpendTier;
  recency: Recency;
  /** `region/tier/recency`, stable for use as a key downstream. */
  key: string;
}

export function segmentOf(
  customer: Pick<Customer, 'region' | 'lifetimeSpendMinor' | 'lastOrderAt'>,
  now: Date,
): Segment {
  const tier = spendTier(customer.lifetimeSpendMinor);
  const rec = recency(customer.lastOrderAt ? new Date(customer.lastOrderAt) : null, now);
  return { region: customer.region, spendTier: tier, recency: rec, key: `${customer.region}/${tier}/${rec}` };
}

export interface SegmentSize extends Segment {
  customers: number;
}

/** Sizes of every non-empty segment, largest first, ties by key. */
export function countSegments(
  inputs: Pick<Customer, 'region' | 'lifetimeSpendMinor' | 'lastOrderAt'>[],
  now: Date,
): SegmentSize[] {
  const sizes = new Map<string, SegmentSize>();
  for (const input of inputs) {
    const segment = segmentOf(input, now);
    const entry = sizes.get(segment.key) ?? { ...segment, customers: 0 };
    entry.customers += 1;
    sizes.set(segment.key, entry);
  }
  return [...sizes.values()].sort((a, b) => b.customers - a.customers || a.key.localeCompare(b.key));
}

/** The profile fields a change really alters; unchanged values sent again do not count. */
export function changedFields(
  current: Pick<Customer, 'email' | 'name' | 'region'>,
  changes: Partial<Pick<Customer, 'email' | 'name' | 'region'>>,
): ('email' | 'name' | 'region')[] {
  return (['email', 'name', 'region'] as const).filter(
    (f) => changes[f] !== undefined && changes[f] !== current[f],
  );
}
