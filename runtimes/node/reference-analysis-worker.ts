// The reference analysis thread (see reference-analysis-thread.ts): analyses
// the one request it is sent, answers, and is ended by its caller. Loaded
// through reference-analysis-worker.mjs.
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

port.once('message', (request: ReferenceAnalysisRequest) => {
  const analyzing = 'paths' in request ? analyzeReferenceFiles(request.paths, request.policy) : analyzeReferenceUploads(request.uploads, request.policy);
  void analyzing.then(
    (references) => port.postMessage({ type: 'analyzed', references } satisfies ReferenceAnalysisReply),
    (error: unknown) => port.postMessage({ type: 'failed', error: errorToWire(error) } satisfies ReferenceAnalysisReply),
  );
});
