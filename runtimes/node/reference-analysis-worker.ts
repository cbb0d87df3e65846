// The reference analysis thread (see reference-analysis-thread.ts): analyses
// each request it is sent, one after another, and answers it by id; its
// caller ends it (after one answer, or when the thread is no longer kept).
// Loaded through reference-analysis-worker.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { lowerThreadPriority } from '../shared/thread-priority.ts';
import { analyzeReferenceUploads } from '../../core/app/reference-analysis.ts';
import { errorToWire } from '../../core/app/worker-protocol.ts';
import { analyzeReferenceFiles } from './reference-files.ts';
import type { ReferenceAnalysisReply, ReferenceAnalysisRequest } from './reference-analysis-messages.ts';

const settings = workerData as { simd?: boolean; nice?: number } | undefined;
setSimdEnabled(settings?.simd ?? true);
// Started by a pool worker: as low a priority as that worker's (the server's event loop comes first).
lowerThreadPriority(settings?.nice ?? 0);

const port = parentPort;
if (!port) throw new Error('reference-analysis-worker.ts runs inside a worker thread (see reference-analysis-thread.ts)');

// One at a time, in arrival order: two references' decoded samples never share the thread's memory.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: ReferenceAnalysisRequest) => {
  const { id } = request;
  queue = queue.then(() =>
    ('paths' in request ? analyzeReferenceFiles(request.paths, request.policy) : analyzeReferenceUploads(request.uploads, request.policy)).then(
      (references) => port.postMessage({ id, type: 'analyzed', references } satisfies ReferenceAnalysisReply),
      (error: unknown) => port.postMessage({ id, type: 'failed', error: errorToWire(error) } satisfies ReferenceAnalysisReply),
    ),
  );
});
