import { describe, expect, it } from 'vitest';
import { countSegments, normalizeEmail, recency, segmentOf, spendTier } from '../../src/domain/customer.js';

const now = new Date('2026-06-30T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM ')).toBe('ann.lee@example.com');
  });
});

describe('spendTier', () => {
  it.each([
    [0, 'none'],
    [1, 'bronze'],
    [9_999, 'bronze'],
    [10_000, 'silver'],
    [99_999, 'silver'],
    [100_000, 'gold'],
  ])('puts %i cents in %s', (cents, tier) => {
    expect(spendTier(cents)).toBe(tier);
  });
});

describe('recency', () => {
  it('classifies by days since the last order', () => {
    expect(recency(null, now)).toBe('never');
    expect(recency(daysAgo(30), now)).toBe('active');
    expect(recency(daysAgo(31), now)).toBe('lapsing');
    expect(recency(daysAgo(90), now)).toBe('lapsing');
    expect(recency(daysAgo(91), now)).toBe('dormant');
  });
});

describe('segments', () => {
  it('keys a customer by region, tier and recency', () => {
    const s = segmentOf(
      { region: 'us-east', lifetimeSpendMinor: 250_000, lastOrderAt: daysAgo(2).toISOString() },
      now,
    );
    expect(s.key).toBe('us-east/gold/active');
  });

  it('counts customers per segment, largest first', () => {
    const sizes = countSegments(
      [
        { region: 'eu-west', lifetimeSpendMinor: 0, lastOrderAt: null },
        { region: 'eu-west', lifetimeSpendMinor: 0, lastOrderAt: null },
        { region: 'ap-south', lifetimeSpendMinor: 500, lastOrderAt: daysAgo(100).toISOString() },
      ],
      now,
    );
    expect(sizes.map((s) => [s.key, s.customers])).toEqual([
      ['eu-west/none/never', 2],
      ['ap-south/bronze/dormant', 1],
    ]);
  });
});
