// Double-entry bookkeeping for payments. A journal entry is a set of lines on accounts; positive amounts are
// debits, negative ones credits, and the lines of one entry always sum to zero. The database checks the same
// rule at commit (journal_entry_balanced), so a bug here cannot write an unbalanced entry.
import { DomainError } from '@shop/common';

export const accountCodes = [
  'customer_funds',
  'authorization_holds',
  'psp_clearing',
  'merchant_revenue',
  'refunds',
] as const;
export type AccountCode = (typeof accountCodes)[number];

export type EntryKind = 'authorize' | 'capture' | 'void' | 'refund';

export interface Line {
  account: AccountCode;
  amountMinor: number;
}

export interface Entry {
  kind: EntryKind;
  currency: string;
  lines: Line[];
}

/** Throws unless the lines are at least two non-zero integer amounts that sum to zero. */
export function assertBalanced(entry: Entry): void {
  const { lines } = entry;
  const bad = lines.find((l) => !Number.isSafeInteger(l.amountMinor) || l.amountMinor === 0);
  const total = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  if (lines.length < 2 || bad || total !== 0) {
    throw new DomainError(
      'LEDGER_UNBALANCED',
      `${entry.kind} entry sums to ${total} over ${lines.length} lines`,
    );
  }
}

function entry(kind: EntryKind, currency: string, lines: Line[]): Entry {
  const result = { kind, currency, lines: lines.filter((l) => l.amountMinor !== 0) };
  assertBalanced(result);
  return result;
}

/** Authorising holds the amount: it leaves the customer's funds and sits in holds until capture or void. */
export function authorizeEntry(currency: string, amountMinor: number): Entry {
  return entry('authorize', currency, [
    { account: 'authorization_holds', amountMinor },
    { account: 'customer_funds', amountMinor: -amountMinor },
  ]);
}

/** Voiding releases the whole hold back to the customer. */
export function voidEntry(currency: string, authorizedMinor: number): Entry {
  return entry('void', currency, [
    { account: 'customer_funds', amountMinor: authorizedMinor },
    { account: 'authorization_holds', amountMinor: -authorizedMinor },
  ]);
}

/**
 * Capturing closes the whole hold, so the customer owes nothing more; the captured part is the merchant's
 * revenue, receivable from the PSP through clearing. An uncaptured remainder simply is not charged.
 */
export function captureEntry(currency: string, authorizedMinor: number, capturedMinor: number): Entry {
  return entry('capture', currency, [
    { account: 'authorization_holds', amountMinor: -authorizedMinor },
    { account: 'customer_funds', amountMinor: authorizedMinor },
    { account: 'psp_clearing', amountMinor: capturedMinor },
    { account: 'merchant_revenue', amountMinor: -capturedMinor },
  ]);
}

/** A refund pays money back out of clearing, booked against revenue through the refunds account. */
export function refundEntry(currency: string, amountMinor: number): Entry {
  return entry('refund', currency, [
    { account: 'refunds', amountMinor },
    { account: 'psp_clearing', amountMinor: -amountMinor },
  ]);
}

/** Balance per account over many entries; the sum over all accounts is zero when every entry balances. */
export function balances(entries: readonly Entry[]): Record<AccountCode, number> {
  const result = Object.fromEntries(accountCodes.map((c) => [c, 0])) as Record<AccountCode, number>;
  for (const e of entries) for (const l of e.lines) result[l.account] += l.amountMinor;
  return result;
}
