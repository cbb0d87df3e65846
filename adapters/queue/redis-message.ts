/**
 * How a persistence task is written to a queue message (the data of a BullMQ
 * job), and read back. The message holds only small text fields; the WAV
 * bytes sit in their own Redis string (`payload` names it), written just
 * before the job is added, so that counting, listing and dead-lettering never
 * move megabytes and the bytes never go through JSON (claim check).
 * Reading validates every field: a message this version cannot understand
 * becomes a `problem`, never an exception or a half-built task.
 */
import type { ArtifactPersistenceTask } from '../../core/app/ports.ts';

/** Bumped when the field layout changes; a worker retries (then dead-letters) versions it does not know. */
export const MESSAGE_VERSION = '1';

const KEY_SHAPE = /^[\x21-\x7e]{1,1024}$/;

/**
 * The message fields of one task whose bytes are stored under `payloadKey`.
 *
 * @example encodeTaskFields(task, 'audo-eq:artifacts:payload:7f…') // { v: '1', key: 'mastered/….wav', …, size: '1234' }
 */
export function encodeTaskFields(task: ArtifactPersistenceTask, payloadKey: string): Record<string, string> {
  return {
    v: MESSAGE_VERSION,
    key: task.object.key,
    content_type: task.object.contentType,
    correlation_id: task.correlationId,
    enqueued_at: task.enqueuedAt,
    metadata: JSON.stringify(task.object.metadata),
    payload: payloadKey,
    size: String(task.object.bytes.byteLength),
  };
}

/** The payload key a message names, if it names one (also for messages that fail to decode). */
export function payloadKeyOf(fields: Readonly<Record<string, string>>): string | null {
  const key = fields.payload;
  return typeof key === 'string' && key.length > 0 ? key : null;
}

function readMetadata(text: string | undefined): Record<string, string> | null {
  if (text === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const entries = Object.entries(parsed as Record<string, unknown>);
  return entries.every(([, value]) => typeof value === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : null;
}

/**
 * Rebuilds a task from its message fields and payload bytes (null when the
 * payload key is missing), or says what is wrong with the message.
 *
 * @example decodeTaskFields({ v: '1', key: 'mastered/a.wav', … }, bytes) // { task: { object: { key: 'mastered/a.wav', … }, … } }
 */
export function decodeTaskFields(
  fields: Readonly<Record<string, string>>,
  payload: Uint8Array | null,
): { readonly task: ArtifactPersistenceTask; readonly problem: null } | { readonly task: null; readonly problem: string } {
  const fail = (problem: string) => ({ task: null, problem }) as const;
  if (fields.v !== MESSAGE_VERSION) return fail(`unsupported message version ${JSON.stringify(fields.v ?? null)} (this worker reads ${MESSAGE_VERSION})`);
  const { key, content_type: contentType, correlation_id: correlationId, enqueued_at: enqueuedAt, size } = fields;
  if (!key || !KEY_SHAPE.test(key)) return fail('missing or malformed object key');
  if (!contentType) return fail('missing content type');
  if (!correlationId) return fail('missing correlation id');
  if (!enqueuedAt || Number.isNaN(Date.parse(enqueuedAt))) return fail('missing or malformed enqueue time');
  const metadata = readMetadata(fields.metadata);
  if (!metadata) return fail('metadata is not a JSON object of strings');
  if (!payloadKeyOf(fields)) return fail('missing payload key');
  if (payload === null) return fail(`payload ${fields.payload} is missing from Redis`);
  if (String(payload.byteLength) !== size) return fail(`payload holds ${payload.byteLength} bytes, the message says ${size}`);
  return { task: { object: { key, bytes: payload, contentType, metadata }, correlationId, enqueuedAt }, problem: null };
}
