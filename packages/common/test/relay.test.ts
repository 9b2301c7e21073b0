import { describe, expect, it } from 'vitest';
import { cassandraRowToMessage, headersToRecord } from '../src/index.js';

describe('cassandraRowToMessage', () => {
  const row = {
    seq: 'x',
    id: 'e-1',
    aggregatetype: 'product',
    aggregateid: 'p-1',
    topic: 'catalog.product-changed.v1',
    payload: Buffer.from([0, 0, 0, 0, 9, 1]),
    region: 'us-east',
    occurred_at: new Date('2025-03-04T05:06:07.089Z'),
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };

  it('gives the headers and key Debezium outbox router gives, payload bytes unchanged', () => {
    const message = cassandraRowToMessage(row);
    expect(message.key).toBe('p-1');
    expect(message.value).toBe(row.payload);
    expect(headersToRecord(message.headers)).toEqual({
      id: 'e-1',
      event_id: 'e-1',
      aggregate_type: 'product',
      region: 'us-east',
      occurred_at: '2025-03-04T05:06:07.089Z',
      traceparent: row.traceparent,
    });
  });

  it('leaves traceparent out for an event written outside a trace', () => {
    expect(cassandraRowToMessage({ ...row, traceparent: null }).headers).not.toHaveProperty('traceparent');
  });
});
