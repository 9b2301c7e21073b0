import { describe, expect, it } from 'vitest';
import {
  dlqHeaderNames,
  dlqHeaders,
  eventIdOf,
  headersToRecord,
  MAX_DLQ_ERROR_LENGTH,
} from '../src/events/headers.js';

describe('headersToRecord', () => {
  it('turns Buffers into text, takes the first of a repeated header and drops null ones', () => {
    expect(
      headersToRecord({
        event_id: Buffer.from('e-1'),
        region: 'eu-west',
        tags: [Buffer.from('a'), Buffer.from('b')],
        traceparent: undefined,
        // Debezium sends a null header for a null column.
        nothing: null as unknown as undefined,
      }),
    ).toEqual({ event_id: 'e-1', region: 'eu-west', tags: 'a' });
  });

  it('answers an empty record for a message without headers', () => {
    expect(headersToRecord(undefined)).toEqual({});
  });
});

describe('eventIdOf', () => {
  it('prefers event_id, falls back to the outbox router id, and is undefined without either', () => {
    expect(eventIdOf({ event_id: 'a', id: 'b' })).toBe('a');
    expect(eventIdOf({ id: 'b' })).toBe('b');
    expect(eventIdOf({ event_id: '', id: 'b' })).toBe('b');
    expect(eventIdOf({})).toBeUndefined();
  });
});

describe('dlqHeaders', () => {
  const base = {
    original: { event_id: Buffer.from('e-1'), region: Buffer.from('eu-west') },
    reason: 'exhausted' as const,
    attempts: 5,
    topic: 'order.created.v1',
    partition: 2,
    offset: '41',
    groupId: 'payment',
    failedAt: new Date('2025-01-02T03:04:05.678Z'),
  };

  it('keeps every original header and adds the reason, error, attempts and origin', () => {
    const err = Object.assign(new Error('insufficient funds'), { code: 'PAYMENT_DECLINED' });
    const headers = dlqHeaders({ ...base, error: err });
    expect(Buffer.isBuffer(headers.event_id)).toBe(true);
    expect(headersToRecord(headers)).toEqual({
      event_id: 'e-1',
      region: 'eu-west',
      [dlqHeaderNames.reason]: 'exhausted',
      [dlqHeaderNames.error]: 'insufficient funds',
      [dlqHeaderNames.errorType]: 'PAYMENT_DECLINED',
      [dlqHeaderNames.attempts]: '5',
      [dlqHeaderNames.originalTopic]: 'order.created.v1',
      [dlqHeaderNames.originalPartition]: '2',
      [dlqHeaderNames.originalOffset]: '41',
      [dlqHeaderNames.consumerGroup]: 'payment',
      [dlqHeaderNames.failedAt]: '2025-01-02T03:04:05.678Z',
    });
  });

  it('names the error class when there is no code, and bounds the error text', () => {
    const headers = headersToRecord(dlqHeaders({ ...base, error: new SyntaxError('x'.repeat(5000)) }));
    expect(headers[dlqHeaderNames.errorType]).toBe('SyntaxError');
    expect(headers[dlqHeaderNames.error]).toHaveLength(MAX_DLQ_ERROR_LENGTH);
  });

  it('accepts a thrown non-Error', () => {
    const headers = headersToRecord(dlqHeaders({ ...base, error: 'plain string' }));
    expect(headers[dlqHeaderNames.error]).toBe('plain string');
    expect(headers[dlqHeaderNames.errorType]).toBe('string');
  });
});
