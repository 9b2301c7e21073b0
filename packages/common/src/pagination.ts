// Keyset cursors over (created_at, id): opaque to clients and stable under inserts, unlike offsets.

/** A position after a row ordered by (created_at, id). */
export interface Cursor {
  createdAt: string;
  id: string;
}

/** An opaque, URL-safe cursor for `nextCursor`. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** Returns undefined for anything that is not a cursor `encodeCursor` made. */
export function decodeCursor(raw: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === 'string' &&
      /^[0-9a-f-]{36}$/i.test(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}
