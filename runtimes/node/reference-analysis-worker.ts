// The reference analysis thread (see reference-analysis-thread.ts): analyses
// each request it is sent, one after another, and answers it by id; its
// caller ends it (after one answer, or when the thread is no longer kept).
// Loaded through reference-analysis-worker.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { lowerThreadPriority } from '../shared/thread-priority.ts';
import { serveReferenceAnalysis } from './reference-analysis-service.ts';

const settings = workerData as { simd?: boolean; nice?: number } | undefined;
setSimdEnabled(settings?.simd ?? true);
// Started by a pool worker: as low a priority as that worker's (the server's event loop comes first).
lowerThreadPriority(settings?.nice ?? 0);

if (!parentPort) throw new Error('reference-analysis-worker.ts runs inside a worker thread (see reference-analysis-thread.ts)');
serveReferenceAnalysis(parentPort);
