// The SKU cursor of base-price pages; (created_at, id) cursors are the kit's encodeCursor/decodeCursor.

/** A position after a SKU, for base prices ordered by SKU. */
export function encodeSkuCursor(sku: string): string {
  return Buffer.from(JSON.stringify(['sku', sku])).toString('base64url');
}

export function decodeSkuCursor(raw: string): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value[0] === 'sku' && typeof value[1] === 'string') {
      return value[1];
    }
  } catch {
    // not JSON: not ours
  }
  return undefined;
}
