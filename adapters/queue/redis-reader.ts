/**
 * How a Redis queue consumer finds its next deliveries in one pass: entries
 * whose retry delay is over (XCLAIM by this consumer, which bumps their
 * delivery count), entries whose consumer has been silent for the visibility
 * timeout (XAUTOCLAIM), then new entries (XREADGROUP, blocking only when
 * nothing else came). Attempts are XPENDING's delivery counts; payloads come
 * in one MGET and every entry is decoded into a task or a problem.
 */
import type { Buffer } from 'node:buffer';
import type { QueueDelivery } from '../../core/app/ports.ts';
import type { RedisConnection } from './redis-connection.ts';
import { decodeTaskFields, payloadKeyOf } from './redis-message.ts';

export const CONSUMER_GROUP = 'workers';
/** Longest single blocking read: keeps shutdown and retry timers responsive. */
const MAX_BLOCK_MS = 1000;

interface StreamEntry {
  readonly id: string;
  readonly message: Record<string, string> | null;
}

/** What one consumer process knows about the entries delivered to it. */
export interface ConsumerState {
  /** Fields of every entry delivered here and not yet acknowledged or dead-lettered. */
  readonly held: Map<string, { readonly fields: Record<string, string> }>;
  /** Entries a caller is working on right now (delivered, not yet settled or scheduled for a retry). */
  readonly inFlight: Set<string>;
  /** Entry id → when its retry is due (ms); the entry stays pending under this consumer meanwhile. */
  readonly retries: Map<string, number>;
}

/** @example const state = createConsumerState(); state.retries.set(id, Date.now() + 1000); */
export function createConsumerState(): ConsumerState {
  return { held: new Map(), inFlight: new Set(), retries: new Map() };
}

export interface StreamReaderOptions {
  readonly stream: string;
  readonly consumerName: string;
  readonly visibilityTimeoutMs: number;
  readonly state: ConsumerState;
}

/**
 * Creates the reader of one consumer.
 *
 * @example
 * const reader = createStreamReader({ stream: 'audo-eq:artifacts', consumerName: 'api-1', visibilityTimeoutMs: 60_000, state });
 * const deliveries = await reader.readOnce(connection, 2, 1000); // up to 2, waiting up to 1 s for new ones
 */
export function createStreamReader(options: StreamReaderOptions) {
  const { stream } = options;
  const { held, inFlight, retries } = options.state;
  let autoClaimCursor = '0-0';

  /** Delivery counts of entries this consumer holds, from XPENDING. */
  const deliveryCounts = async (connection: RedisConnection, ids: string[]): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    const rows = await Promise.all(ids.map((id) => connection.bounded(connection.client.xPendingRange(stream, CONSUMER_GROUP, id, id, 1))));
    for (const row of rows) for (const entry of row) counts.set(entry.id, entry.deliveriesCounter);
    return counts;
  };

  /** Turns claimed or read entries into deliveries: payloads fetched in one MGET, fields validated. */
  const toDeliveries = async (connection: RedisConnection, entries: StreamEntry[], attempts: Map<string, number>): Promise<QueueDelivery[]> => {
    const live = entries.filter((entry): entry is { id: string; message: Record<string, string> } => entry.message !== null);
    const payloadKeys = live.map((entry) => payloadKeyOf(entry.message));
    const wanted = payloadKeys.filter((key): key is string => key !== null);
    const buffers = wanted.length === 0 ? [] : ((await connection.bounded(connection.buffers.mGet(wanted), 0)) as Array<Buffer | null>);
    const payloads = new Map(wanted.map((key, i) => [key, buffers[i]] as const));
    return live.map((entry, i) => {
      const key = payloadKeys[i];
      const buffer = key === null ? null : (payloads.get(key) ?? null);
      const bytes = buffer === null ? null : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const decoded = decodeTaskFields(entry.message, bytes);
      held.set(entry.id, { fields: entry.message });
      inFlight.add(entry.id);
      retries.delete(entry.id);
      return { id: entry.id, attempt: attempts.get(entry.id) ?? 1, task: decoded.task, problem: decoded.problem };
    });
  };

  /** XCLAIMs this consumer's entries whose retry delay is over (bumping their delivery count). */
  const claimDueRetries = async (connection: RedisConnection, maxTasks: number): Promise<StreamEntry[]> => {
    const nowMs = Date.now();
    const due = [...retries].filter(([, dueMs]) => dueMs <= nowMs).slice(0, maxTasks).map(([id]) => id);
    if (due.length === 0) return [];
    const claimed = await connection.bounded(connection.client.xClaim(stream, CONSUMER_GROUP, options.consumerName, 0, due));
    // Claimed or gone (deleted meanwhile): either way no longer waiting here. A failed XCLAIM keeps them due.
    for (const id of due) retries.delete(id);
    return claimed.filter((entry) => entry !== null) as StreamEntry[];
  };

  /** XAUTOCLAIMs entries silent for the visibility timeout (their consumer died), skipping ones this process is still working on. */
  const reclaimStale = async (connection: RedisConnection, maxTasks: number): Promise<StreamEntry[]> => {
    const reply = await connection.bounded(
      connection.client.xAutoClaim(stream, CONSUMER_GROUP, options.consumerName, options.visibilityTimeoutMs, autoClaimCursor, { COUNT: maxTasks }),
    );
    autoClaimCursor = reply.nextId;
    // An entry still in flight here (a slow upload) was only touched (its idle time reset), not lost.
    return (reply.messages.filter((entry) => entry !== null) as StreamEntry[]).filter((entry) => !inFlight.has(entry.id));
  };

  const readNew = async (connection: RedisConnection, maxTasks: number, blockMs: number): Promise<StreamEntry[]> => {
    const reply = await connection.bounded(
      connection.client.xReadGroup(CONSUMER_GROUP, options.consumerName, { key: stream, id: '>' }, blockMs > 0 ? { COUNT: maxTasks, BLOCK: blockMs } : { COUNT: maxTasks }),
      blockMs,
    );
    if (!reply) return [];
    return (reply as Array<{ messages: StreamEntry[] }>).flatMap((item) => item.messages);
  };

  return {
    /** One pass: due retries, then stale entries, then new ones (blocking up to `remainingMs` when nothing else came). */
    async readOnce(connection: RedisConnection, maxTasks: number, remainingMs: number, signal?: AbortSignal): Promise<QueueDelivery[]> {
      const entries = await claimDueRetries(connection, maxTasks);
      if (entries.length < maxTasks) entries.push(...(await reclaimStale(connection, maxTasks - entries.length)));
      const claimedIds = entries.map((entry) => entry.id);
      if (entries.length < maxTasks) {
        const untilRetryMs = Math.min(Infinity, ...retries.values()) - Date.now();
        const waitMs = Math.min(remainingMs, untilRetryMs, MAX_BLOCK_MS);
        const blockMs = entries.length > 0 || signal?.aborted || waitMs <= 0 ? 0 : Math.max(1, Math.ceil(waitMs));
        entries.push(...(await readNew(connection, maxTasks - entries.length, blockMs)));
      }
      // A fresh read is delivery 1; claimed entries carry XPENDING's count.
      const attempts = claimedIds.length > 0 ? await deliveryCounts(connection, claimedIds) : new Map<string, number>();
      return toDeliveries(connection, entries, attempts);
    },
  };
}
