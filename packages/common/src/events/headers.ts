import type { IHeaders } from 'kafkajs';

/**
 * Header names an event carries, identical on every path to Kafka (Debezium's outbox router and the kit's
 * relays), so a consumer never needs to know which store an event came from.
 */
export const eventHeaders = {
  id: 'id',
  eventId: 'event_id',
  aggregateType: 'aggregate_type',
  region: 'region',
  occurredAt: 'occurred_at',
  traceparent: 'traceparent',
} as const;

/** Headers the consumer adds when it parks a message on `<topic>.dlq`. */
export const dlqHeaderNames = {
  reason: 'dlq_reason',
  error: 'dlq_error',
  errorType: 'dlq_error_type',
  attempts: 'dlq_attempts',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  consumerGroup: 'dlq_consumer_group',
  failedAt: 'dlq_failed_at',
} as const;

/**
 * Why a message was parked: it cannot be read as an event (`decode`), the handler rejected it as never
 * acceptable (`rejected`), or the handler failed every attempt (`exhausted`).
 */
export type ParkReason = 'decode' | 'rejected' | 'exhausted';

/** Kafka headers as plain strings (first value of a repeated header; a null header is left out). */
export function headersToRecord(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null) continue;
    out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/** The event's id: header `event_id`, else Debezium's own `id`; undefined when neither is present. */
export function eventIdOf(headers: Record<string, string>): string | undefined {
  const id = headers[eventHeaders.eventId] || headers[eventHeaders.id];
  return id ? id : undefined;
}

/** Longest error text a DLQ header carries; a stack trace or a huge message must not bloat the topic. */
export const MAX_DLQ_ERROR_LENGTH = 1000;

/** The headers of a parked message: every original header unchanged, plus the reason and where it came from. */
export function dlqHeaders(input: {
  original: IHeaders | undefined;
  reason: ParkReason;
  error: unknown;
  attempts: number;
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  failedAt: Date;
}): IHeaders {
  const err = input.error;
  const message = err instanceof Error ? err.message : String(err);
  const type = err instanceof Error ? ((err as { code?: unknown }).code ?? err.name) : typeof err;
  const headers: IHeaders = {};
  // Original headers first and untouched (Buffers stay Buffers), so a replay tool can republish as is.
  for (const [name, value] of Object.entries(input.original ?? {}))
    if (value !== undefined && value !== null) headers[name] = value;
  headers[dlqHeaderNames.reason] = input.reason;
  headers[dlqHeaderNames.error] = message.slice(0, MAX_DLQ_ERROR_LENGTH);
  headers[dlqHeaderNames.errorType] = String(type);
  headers[dlqHeaderNames.attempts] = String(input.attempts);
  headers[dlqHeaderNames.originalTopic] = input.topic;
  headers[dlqHeaderNames.originalPartition] = String(input.partition);
  headers[dlqHeaderNames.originalOffset] = input.offset;
  headers[dlqHeaderNames.consumerGroup] = input.groupId;
  headers[dlqHeaderNames.failedAt] = input.failedAt.toISOString();
  return headers;
}

/** The headers the kit's relays put on an event: the same names and formats as Debezium's outbox router. */
export function outboxHeaders(row: {
  eventId: string;
  aggregateType: string;
  region: string;
  occurredAt: Date;
  traceparent?: string | null;
}): IHeaders {
  const headers: IHeaders = {
    [eventHeaders.id]: row.eventId,
    [eventHeaders.eventId]: row.eventId,
    [eventHeaders.aggregateType]: row.aggregateType,
    [eventHeaders.region]: row.region,
    [eventHeaders.occurredAt]: row.occurredAt.toISOString(),
  };
  // Debezium sends a null header for a null column; kafkajs cannot, and consumers treat both as absent.
  if (row.traceparent) headers[eventHeaders.traceparent] = row.traceparent;
  return headers;
}
