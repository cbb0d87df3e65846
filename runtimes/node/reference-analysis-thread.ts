/**
 * Reference analysis on a second core: a `ReferenceAnalyzer` that decodes and
 * analyses a job's references in a worker thread of its own while the calling
 * thread decodes and analyses the target (see core/app/mastering-job.ts). The
 * CLI uses it: one job at a time, and the second core would otherwise idle.
 * A server's pool worker uses it only for a job sent while another worker
 * idled with nothing waiting (`spareCore`); under load the pool keeps every
 * core busy with separate jobs instead.
 *
 * The uploads are copied to the thread (the caller keeps its buffers); only
 * the analyses (a few hundred kB) come back. Memory: the decoded reference now
 * lives beside the decoded target instead of before it.
 */
import { Worker } from 'node:worker_threads';
import type { AnalyzedReference, ReferenceAnalyzer } from '../../core/app/reference-analysis.ts';
import type { IngestPolicy } from '../../core/domain/policies.ts';
import type { ReferenceAnalysisReply, ReferenceAnalysisRequest } from './reference-analysis-messages.ts';
import { errorFromWire } from '../../core/app/worker-protocol.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { threadEntry } from './thread-entry.ts';

const WORKER_URL = threadEntry(import.meta.url, {
  launcher: new URL('./reference-analysis-worker.mjs', import.meta.url),
  built: new URL('./reference-analysis-worker.js', import.meta.url),
});

/**
 * Creates the analyzer; each call starts one thread and ends it with the answer.
 *
 * @example const runner = createInProcessRunner({ referenceAnalyzer: createThreadedReferenceAnalyzer() });
 */
export function createThreadedReferenceAnalyzer(workerUrl: URL = WORKER_URL, options: ThreadOptions = {}): ReferenceAnalyzer {
  return (uploads, policy) => analyzeOnThread({ uploads: uploads.map(({ bytes, filename }) => ({ bytes, filename })), policy }, workerUrl, options);
}

export interface ThreadOptions {
  /** The thread's nice value (a pool worker's own, so the server's event loop keeps its priority); default 0, unchanged. */
  readonly nice?: number;
}

/**
 * Analyses reference files on a thread of their own: the thread reads them
 * itself, a stereo WAV in blocks (see `reference-files.ts`), so neither
 * thread holds a reference's samples.
 *
 * @example const references = analyzeReferenceFilesOnThread(['ref.wav'], policy); // meanwhile, the target
 */
export function analyzeReferenceFilesOnThread(paths: readonly string[], policy: IngestPolicy, workerUrl: URL = WORKER_URL): Promise<AnalyzedReference[]> {
  return analyzeOnThread({ paths: [...paths], policy }, workerUrl);
}

/** Starts one thread for `request` and ends it with the answer. */
function analyzeOnThread(request: ReferenceAnalysisRequest, workerUrl: URL, options: ThreadOptions = {}): Promise<AnalyzedReference[]> {
  return new Promise((resolve, reject) => {
    // The thread starts with the SIMD switch as this thread has it.
    const worker = new Worker(workerUrl, { workerData: { simd: simdEnabled(), nice: options.nice ?? 0 } });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      finish();
      void worker.terminate();
    };
    worker.once('message', (reply: ReferenceAnalysisReply) =>
      settle(() => (reply.type === 'analyzed' ? resolve(reply.references) : reject(errorFromWire(reply.error)))),
    );
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the reference analysis thread exited with code ${code} before answering`))));
    worker.postMessage(request);
  });
}
