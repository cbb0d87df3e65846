// Answers reference analysis requests arriving on a worker thread's port, one
// after another in arrival order, each by its id: the whole work of the
// reference analysis thread (reference-analysis-worker.ts), and the first work
// of the tap thread (tap-thread-worker.ts), which a command that needs both
// starts alone. Other messages on the port are left to their own listeners.
import type { MessagePort } from 'node:worker_threads';
import { analyzeReferenceUploads } from '../../core/app/reference-analysis.ts';
import { errorToWire } from '../../core/app/worker-protocol.ts';
import { analyzeReferenceFiles } from './reference-files.ts';
import type { ReferenceAnalysisReply, ReferenceAnalysisRequest } from './reference-analysis-messages.ts';

/** Whether `message` asks for references to be analysed (the tap thread's own requests name an `op`). */
export function isReferenceAnalysisRequest(message: unknown): message is ReferenceAnalysisRequest {
  return typeof message === 'object' && message !== null && 'id' in message && ('paths' in message || 'uploads' in message);
}

/**
 * Answers every reference analysis request on `port`.
 *
 * @example serveReferenceAnalysis(parentPort!);
 */
export function serveReferenceAnalysis(port: MessagePort): void {
  // One at a time, in arrival order: two references' decoded samples never share the thread's memory.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: unknown) => {
    if (!isReferenceAnalysisRequest(request)) return;
    const { id } = request;
    queue = queue.then(() =>
      ('paths' in request ? analyzeReferenceFiles(request.paths, request.policy) : analyzeReferenceUploads(request.uploads, request.policy)).then(
        (references) => port.postMessage({ id, type: 'analyzed', references } satisfies ReferenceAnalysisReply),
        (error: unknown) => port.postMessage({ id, type: 'failed', error: errorToWire(error) } satisfies ReferenceAnalysisReply),
      ),
    );
  });
}
