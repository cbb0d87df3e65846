/**
 * The embedded deferred-persistence queue: tasks live in this process's
 * memory, bounded by count and by payload bytes, and are lost when the
 * process ends (`durable: false`, so the `guaranteed` policy refuses it).
 * Delivery semantics match the Redis queue: a delivered task is leased for
 * the visibility timeout, retries come back after their delay with a higher
 * `attempt`, and dead-lettered tasks are kept (a bounded list) for inspection.
 */
import type { ArtifactPersistenceTask, ArtifactQueue, ConsumeOptions, QueueDelivery } from '../../core/app/ports.ts';

export interface MemoryQueueOptions {
  /** The name in `queue://<name>/<key>`. */
  readonly name: string;
  /** Most tasks held at once (waiting, in flight or waiting for a retry). */
  readonly capacity: number;
  /** Most payload bytes held at once. */
  readonly maxBytes: number;
  /** How long a delivered task stays leased before it is delivered again (its consumer hung or crashed). */
  readonly visibilityTimeoutMs: number;
  /** Dead-lettered tasks kept for inspection, oldest dropped first; default 100. */
  readonly deadLetterCapacity?: number;
}

/** A task that was given up on, with why. */
export interface MemoryDeadLetter {
  readonly id: string;
  readonly task: ArtifactPersistenceTask | null;
  readonly reason: string;
  readonly attempts: number;
  /** ISO-8601 */
  readonly deadAt: string;
}

/** Thrown by `enqueue` when the queue holds `capacity` tasks or `maxBytes` bytes. */
export class QueueFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

interface Entry {
  readonly id: string;
  readonly task: ArtifactPersistenceTask;
  readonly sizeBytes: number;
  readonly enqueuedAtMs: number;
  deliveries: number;
  /** The task is deliverable from this time on (a lease or a retry delay pushes it forward). */
  visibleAtMs: number;
}

/**
 * Creates an in-memory queue.
 *
 * @example
 * const queue = createMemoryQueue({ name: 'artifacts', capacity: 256, maxBytes: 1 << 30, visibilityTimeoutMs: 60_000 });
 * await queue.enqueue({ object, correlationId: 'c1', enqueuedAt: new Date().toISOString() });
 * const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 0 }); // delivery.attempt === 1
 * await queue.acknowledge(delivery);
 */
export function createMemoryQueue(options: MemoryQueueOptions): ArtifactQueue & { deadLetters(): readonly MemoryDeadLetter[] } {
  const entries = new Map<string, Entry>(); // insertion order = FIFO
  const dead: MemoryDeadLetter[] = [];
  const deadLetterCapacity = options.deadLetterCapacity ?? 100;
  const wakers = new Set<() => void>();
  let heldBytes = 0;
  let sequence = 0;
  let closed = false;

  const wakeAll = () => {
    for (const wake of wakers) wake();
    wakers.clear();
  };

  const remove = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (entry) {
      entries.delete(id);
      heldBytes -= entry.sizeBytes;
    }
    return entry;
  };

  /** Leases up to `maxTasks` visible entries, oldest first. */
  const take = (maxTasks: number, nowMs: number): QueueDelivery[] => {
    const deliveries: QueueDelivery[] = [];
    for (const entry of entries.values()) {
      if (deliveries.length >= maxTasks) break;
      if (entry.visibleAtMs > nowMs) continue;
      entry.deliveries++;
      entry.visibleAtMs = nowMs + options.visibilityTimeoutMs;
      deliveries.push({ id: entry.id, attempt: entry.deliveries, task: entry.task, problem: null });
    }
    return deliveries;
  };

  /** Waits until `untilMs`, an enqueue or an abort, whichever is first. */
  const pause = (untilMs: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, untilMs - Date.now()));
      signal?.addEventListener('abort', done, { once: true });
      wakers.add(done);
    });

  return {
    name: options.name,
    backend: 'memory',
    durable: false,
    deadLetterName: `memory://${options.name}/dead`,

    async enqueue(task) {
      if (closed) throw new Error(`queue '${options.name}' is closed`);
      const sizeBytes = task.object.bytes.byteLength;
      if (entries.size >= options.capacity) {
        throw new QueueFullError(`queue '${options.name}' is full (${entries.size} of ${options.capacity} tasks)`);
      }
      if (heldBytes + sizeBytes > options.maxBytes) {
        throw new QueueFullError(`queue '${options.name}' is full (${heldBytes} + ${sizeBytes} bytes exceeds ${options.maxBytes})`);
      }
      const nowMs = Date.now();
      const id = `${nowMs}-${++sequence}`;
      entries.set(id, { id, task, sizeBytes, enqueuedAtMs: nowMs, deliveries: 0, visibleAtMs: nowMs });
      heldBytes += sizeBytes;
      wakeAll();
    },

    async consume({ maxTasks, waitMs, signal }: ConsumeOptions) {
      const deadlineMs = Date.now() + waitMs;
      for (;;) {
        const nowMs = Date.now();
        const deliveries = closed ? [] : take(maxTasks, nowMs);
        if (deliveries.length > 0 || nowMs >= deadlineMs || signal?.aborted || closed) return deliveries;
        let nextVisibleMs = deadlineMs;
        for (const entry of entries.values()) nextVisibleMs = Math.min(nextVisibleMs, entry.visibleAtMs);
        await pause(nextVisibleMs, signal);
      }
    },

    async acknowledge(delivery) {
      remove(delivery.id);
    },

    async retryLater(delivery, delayMs) {
      const entry = entries.get(delivery.id);
      if (entry) entry.visibleAtMs = Date.now() + Math.max(0, delayMs);
    },

    async deadLetter(delivery, reason) {
      const entry = remove(delivery.id);
      dead.push({ id: delivery.id, task: entry?.task ?? delivery.task, reason, attempts: delivery.attempt, deadAt: new Date().toISOString() });
      if (dead.length > deadLetterCapacity) dead.splice(0, dead.length - deadLetterCapacity);
    },

    async depth() {
      return entries.size;
    },

    async oldestAgeMs() {
      const oldest = entries.values().next();
      return oldest.done ? null : Date.now() - oldest.value.enqueuedAtMs;
    },

    async deadLetterDepth() {
      return dead.length;
    },

    async checkReady() {
      if (closed) throw new Error(`queue '${options.name}' is closed`);
    },

    async close() {
      closed = true;
      wakeAll();
    },

    deadLetters: () => dead.slice(),
  };
}
