/**
 * Reference analysis on a second core: a `ReferenceAnalyzer` that decodes and
 * analyses a job's references in a worker thread of its own while the calling
 * thread decodes and analyses the target (see core/app/mastering-job.ts). The
 * CLI uses it: one job at a time, and the second core would otherwise idle.
 * A server's pool worker uses it only for a job sent while another worker
 * idled with nothing waiting (`spareCore`); under load the pool keeps every
 * core busy with separate jobs instead.
 *
 * The uploads are copied to the thread (the caller keeps its buffers), or
 * moved there when the caller gives them up (`owned`: a pool worker's own
 * copies; copying 47 MB cost the job ~0.2 s before its target was touched);
 * only the analyses (a few hundred kB) come back. Memory: the decoded
 * reference now lives beside the decoded target instead of before it.
 */
import type { AnalyzedReference, ReferenceAnalyzer } from '../../core/app/reference-analysis.ts';
import type { IngestPolicy } from '../../core/domain/policies.ts';
import type { ReferenceAnalysisReply, ReferenceAnalysisRequest } from './reference-analysis-messages.ts';
import type { MasteringUploadFile } from '../../core/app/ports.ts';
import { errorFromWire } from '../../core/app/worker-protocol.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import type { Worker } from 'node:worker_threads';
import { REFERENCE_WORKER_URL, spawnReferenceWorker } from './reference-analysis-spawn.ts';
import { holdOpen } from './worker-hold.ts';
import { analyzeReferenceFiles } from './reference-files.ts';

/**
 * Creates the analyzer. By default each call starts one thread and ends it
 * with the answer. With `keep`, one thread is kept and reused, so its code
 * stays compiled and optimised between jobs (a pool worker's: a new thread
 * starts cold, which costs about as much as the analysis it would take off
 * the job); it does not keep the process alive while idle, and one that dies
 * is replaced by the next call.
 *
 * @example const runner = createInProcessRunner({ referenceAnalyzer: createThreadedReferenceAnalyzer() });
 */
export function createThreadedReferenceAnalyzer(workerUrl: URL = REFERENCE_WORKER_URL, options: ThreadOptions = {}): ReferenceAnalyzer {
  const requestFor = (uploads: Parameters<ReferenceAnalyzer>[0], policy: IngestPolicy): ThreadRequest => ({ uploads: uploads.map(({ bytes, filename }) => ({ bytes, filename })), policy });
  const movable = (uploads: Parameters<ReferenceAnalyzer>[0], handling: Parameters<ReferenceAnalyzer>[2]) => (handling?.owned ? wholeBuffersOf(uploads) : []);
  if (!options.keep) return (uploads, policy, handling) => analyzeOnThread(requestFor(uploads, policy), workerUrl, options, movable(uploads, handling));
  let thread: ReferenceThread | null = null;
  return (uploads, policy, handling) => {
    if (!thread || thread.failed()) thread = openThread(workerUrl, options);
    return thread.analyze(requestFor(uploads, policy), movable(uploads, handling));
  };
}

/** The buffers the uploads' bytes span whole (once each): those can be moved; a view into a larger buffer is copied. */
function wholeBuffersOf(uploads: readonly MasteringUploadFile[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { bytes } of uploads) {
    const { buffer } = bytes;
    if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer.byteLength > 0) buffers.add(buffer);
  }
  return [...buffers];
}

export interface ThreadOptions {
  /** The thread's nice value (a pool worker's own, so the server's event loop keeps its priority); default 0, unchanged. */
  readonly nice?: number;
  /** Keep one thread for every call instead of one per call. */
  readonly keep?: boolean;
}

/**
 * Analyses reference files on a thread of their own: the thread reads them
 * itself, a stereo WAV in blocks (see `reference-files.ts`), so neither
 * thread holds a reference's samples.
 *
 * @example const references = analyzeReferenceFilesOnThread(['ref.wav'], policy); // meanwhile, the target
 */
export function analyzeReferenceFilesOnThread(paths: readonly string[], policy: IngestPolicy, workerUrl: URL = REFERENCE_WORKER_URL): Promise<AnalyzedReference[]> {
  return analyzeOnThread({ paths: [...paths], policy }, workerUrl);
}

/**
 * {@link analyzeReferenceFilesOnThread} on a thread that is already running
 * and serves reference requests besides its own work (the tap thread, see
 * `TapThread.worker`): it is held open until the answer and left running
 * after. Should the thread die before answering, the references are analysed
 * here instead: the job does not depend on the helper thread.
 *
 * @example const references = await analyzeReferenceFilesOn(taps.worker, ['ref.wav'], policy);
 */
export async function analyzeReferenceFilesOn(worker: Worker, paths: readonly string[], policy: IngestPolicy): Promise<AnalyzedReference[]> {
  const thread = attachThread(worker, false);
  try {
    return await thread.analyze({ paths: [...paths], policy });
  } catch (error) {
    // A refused reference comes back from a living thread; only a dead one is replaced.
    if (!thread.failed()) throw error;
    return analyzeReferenceFiles(paths, policy);
  } finally {
    thread.close();
  }
}

/** A request before the thread numbers it. */
type ThreadRequest = { readonly uploads: readonly MasteringUploadFile[]; readonly policy: IngestPolicy } | { readonly paths: readonly string[]; readonly policy: IngestPolicy };

interface ReferenceThread {
  /** Posts `request`, moving the buffers in `transfer` to the thread. */
  analyze(request: ThreadRequest, transfer?: readonly ArrayBuffer[]): Promise<AnalyzedReference[]>;
  /** The thread died or failed to load: every pending and later call is rejected. */
  failed(): boolean;
  close(): void;
}

/** Starts one thread for `request` and ends it with the answer. */
function analyzeOnThread(request: ThreadRequest, workerUrl: URL, options: ThreadOptions = {}, transfer: readonly ArrayBuffer[] = []): Promise<AnalyzedReference[]> {
  const thread = openThread(workerUrl, options);
  return thread.analyze(request, transfer).finally(() => thread.close());
}

/** Starts a thread that answers requests by id; it keeps the process alive only while a request is pending. */
function openThread(workerUrl: URL, options: ThreadOptions): ReferenceThread {
  // The thread starts with the SIMD switch as this thread has it, so it computes what this one would.
  return attachThread(spawnReferenceWorker(workerUrl, { simd: simdEnabled(), nice: options.nice ?? 0 }), true);
}

/**
 * Sends requests to `worker` and matches its answers by id, holding it open
 * while any is pending; closing ends it when `owned`, else only stops listening.
 */
function attachThread(worker: Worker, owned: boolean): ReferenceThread {
  const pending = new Map<number, { resolve: (references: AnalyzedReference[]) => void; reject: (error: unknown) => void; release: () => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const waiter of pending.values()) {
      waiter.release();
      waiter.reject(error);
    }
    pending.clear();
  };
  // A thread with other work posts other messages too (a tap thread's `warmed`, whose ids are its own).
  const onMessage = (reply: ReferenceAnalysisReply) => {
    if (reply.type !== 'analyzed' && reply.type !== 'failed') return;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    waiter.release();
    if (reply.type === 'analyzed') waiter.resolve(reply.references);
    else waiter.reject(errorFromWire(reply.error));
  };
  const onError = (error: Error) => failAll(error);
  const onExit = (code: number) => failAll(new Error(`the reference analysis thread exited with code ${code} before answering`));
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  return {
    analyze(request, transfer = []) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, release: holdOpen(worker) });
        worker.postMessage({ id, ...request } satisfies ReferenceAnalysisRequest, [...transfer]);
      });
    },
    failed: () => failure !== null,
    close() {
      if (owned) {
        void worker.terminate();
        return;
      }
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    },
  };
}
