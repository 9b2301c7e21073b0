import { createHash } from 'node:crypto';
import { couchCall, couchStatus, type IdempotencyStore, type StoredResponse } from '@shop/common';
import type { DocumentScope } from 'nano';

interface KeyDoc {
  _id: string;
  _rev?: string;
  fingerprint: string;
  state: 'pending' | 'done';
  createdAt: number;
  response?: StoredResponse;
}

/**
 * Idempotency keys as `_local/` documents of the catalog database: never replicated, never in `_changes`
 * or in Mango results, and created with the store's own conflict check, so `begin` is atomic per key.
 */
export function couchIdempotencyStore(db: DocumentScope<unknown>, ttlHours = 24): IdempotencyStore {
  const idOf = (scope: string) => `_local/idempotency-${createHash('sha256').update(scope).digest('hex')}`;
  const read = async (id: string): Promise<KeyDoc | undefined> => {
    try {
      return (await db.get(id)) as unknown as KeyDoc;
    } catch (err) {
      if (couchStatus(err) === 404) return undefined;
      throw err;
    }
  };
  const claim = async (doc: KeyDoc): Promise<boolean> => {
    try {
      await db.insert(doc as never);
      return true;
    } catch (err) {
      if (couchStatus(err) === 409) return false;
      throw err;
    }
  };
  return {
    begin: (scope, fingerprint) =>
      couchCall(async () => {
        const id = idOf(scope);
        const fresh: KeyDoc = { _id: id, fingerprint, state: 'pending', createdAt: Date.now() };
        if (await claim(fresh)) return { state: 'new' };
        const existing = await read(id);
        // Gone between the two calls (released), or expired: take it over, still through the conflict check.
        if (!existing) return (await claim(fresh)) ? { state: 'new' } : { state: 'in-progress' };
        if (existing.createdAt < Date.now() - ttlHours * 3_600_000)
          return (await claim({ ...fresh, ...(existing._rev ? { _rev: existing._rev } : {}) }))
            ? { state: 'new' }
            : { state: 'in-progress' };
        if (existing.fingerprint !== fingerprint) return { state: 'mismatch' };
        if (existing.state === 'done' && existing.response)
          return { state: 'done', response: existing.response };
        return { state: 'in-progress' };
      }),
    complete: (scope, response) =>
      couchCall(async () => {
        const existing = await read(idOf(scope));
        if (!existing) return;
        await db.insert({ ...existing, state: 'done', response } as KeyDoc as never);
      }),
    release: (scope) =>
      couchCall(async () => {
        const existing = await read(idOf(scope));
        if (existing?._rev) await db.destroy(existing._id, existing._rev);
      }),
  };
}
