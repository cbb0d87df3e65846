/**
 * Domain events as log records (SPEC section 7): every event becomes one
 * `domain_event_emitted` line with `event_name`, `correlation_id`,
 * `payload_summary` and `occurred_at`.
 */
import type { DomainEvent, EventPublisher } from '../domain/events.ts';
import type { AppLogger } from './ports.ts';

export const DOMAIN_EVENT_LOG_MESSAGE = 'domain_event_emitted';

const MAX_STRING_CHARS = 200;
const MAX_ARRAY_ITEMS = 24;
const MAX_DEPTH = 3;

/**
 * Shrinks a payload to something a log line can carry: strings cut at 200
 * characters, arrays at 24 items, nesting at 3 levels, numbers rounded to 4
 * significant decimals, binary data replaced by its length.
 *
 * @example summarizePayload({ lufs: -14.00012345, bands: [1, 2] }) // { lufs: -14.0001, bands: [1, 2] }
 */
export function summarizePayload(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return summarize(payload, 0) as Record<string, unknown>;
}

function summarize(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toFixed(4)) : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? `<array of ${value.length}>` : '<object>';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY_ITEMS).map((item) => summarize(item, depth + 1));
    if (value.length > MAX_ARRAY_ITEMS) items.push(`… ${value.length - MAX_ARRAY_ITEMS} more`);
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (inner !== undefined && typeof inner !== 'function') out[key] = summarize(inner, depth + 1);
    }
    return out;
  }
  return undefined;
}

/**
 * An {@link EventPublisher} that logs each event through `logger` (and then
 * hands it to `next`, when given, e.g. a metrics or outbox publisher).
 *
 * @example
 * const events = createLoggingEventPublisher(logger);
 * events.publish({ name: 'ArtifactStored', correlationId: 'c1', occurredAt: new Date().toISOString(), payload: { destination: 's3://b/k' } });
 */
export function createLoggingEventPublisher(logger: AppLogger, next?: EventPublisher): EventPublisher {
  return {
    publish(event: DomainEvent) {
      logger.info(DOMAIN_EVENT_LOG_MESSAGE, {
        event_name: event.name,
        correlation_id: event.correlationId,
        payload_summary: summarizePayload(event.payload),
        occurred_at: event.occurredAt,
      });
      next?.publish(event);
    },
  };
}

/** A logger that writes nothing: the embedded default when no logger is given. */
export const silentLogger: AppLogger = { debug() {}, info() {}, warn() {}, error() {} };
