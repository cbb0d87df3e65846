/**
 * The tap thread's worker as it starts (tap-thread.ts makes it a TapHost),
 * apart from the host so that a command can start it before its own code
 * has loaded ({@link prestartTapWorker}, cli/main.ts): a thread takes
 * ~0.1–0.25 s of CPU to boot Node and load its modules, and while a fresh
 * CLI process compiles its own (~0.25 s) the second core is idle.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { startedAhead, type ThreadSettings } from './started-ahead.ts';
import { threadEntry } from './thread-entry.ts';
import { SIGNAL_SLOTS } from './tap-thread-messages.ts';

export const TAP_WORKER_URL = threadEntry(import.meta.url, {
  launcher: new URL('./tap-thread-worker.mjs', import.meta.url),
  built: new URL('./tap-thread-worker.js', import.meta.url),
});

export interface TapWorker {
  readonly worker: Worker;
  readonly settings: ThreadSettings;
  /** The shared counters (replies posted, blocks measured, requests posted; see tap-thread-messages.ts). */
  readonly signal: Int32Array;
  /** Where the thread posts its answers to `result` requests. */
  readonly replies: MessagePort;
  /** Settles once the thread has loaded (null), or with the error that ended it first. */
  readonly loaded: Promise<Error | null>;
  /** The error that ended the thread, known as soon as it ended (before `loaded` settles), or null while it runs. */
  ended(): Error | null;
}

/**
 * Starts the thread from `url`. It does not hold the process open: the host
 * that takes it decides (tap-thread.ts holds it until it has loaded).
 *
 * @example const started = spawnTapWorker(TAP_WORKER_URL, { simd: true, nice: 0 }); await started.loaded; // null
 */
export function spawnTapWorker(url: URL, settings: ThreadSettings): TapWorker {
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const { port1: replies, port2: replyPort } = new MessageChannel();
  const worker = new Worker(url, { workerData: { ...settings, signal: signal.buffer, replyPort }, transferList: [replyPort] });
  // Listened for from the start: a `ready` posted before a host takes the thread is not lost.
  let end: Error | null = null;
  const loaded = new Promise<Error | null>((resolve) => {
    worker.on('message', (message: { type?: string }) => {
      if (message.type === 'ready') resolve(null);
    });
    worker.on('error', (error) => resolve((end ??= error)));
    worker.on('exit', (code) => resolve((end ??= new Error(`the tap thread exited with code ${code}`))));
  });
  // After the listeners: adding a 'message' listener holds the thread's port (and the process) open again.
  worker.unref();
  replies.unref();
  return { worker, settings, signal, replies, loaded, ended: () => end };
}

const ahead = startedAhead((settings) => spawnTapWorker(TAP_WORKER_URL, settings));

/**
 * Starts the default thread now, for the next {@link takeTapWorker} with the
 * same settings (returned); one not taken ends with the process.
 *
 * @example prestartTapWorker({ simd: true, nice: 0 }); // then load the command that renders
 */
export const prestartTapWorker: (settings: ThreadSettings) => TapWorker = ahead.start;

/** The thread {@link prestartTapWorker} started, if it was started with `settings` (one that was not is ended); else null. */
export const takeTapWorker: (settings: ThreadSettings) => TapWorker | null = ahead.take;
