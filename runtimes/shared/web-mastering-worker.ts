// The mastering worker for runtimes with Web Workers (Deno, Bun): runs each job
// it is sent through the shared protocol and posts the answer back, the WAV
// moved rather than copied. Started by runtimes/shared/web-worker-pool.ts.
import { lowerThreadPriority } from './thread-priority.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { answerJobMessage, deliverReply, READY_REPLY, type WorkerJobMessage, type WorkerReply } from '../../core/app/worker-protocol.ts';

/** The part of a dedicated worker's global scope used here (the DOM lib types `self` as a window). */
interface DedicatedWorkerScope {
  onmessage: ((event: MessageEvent<WorkerJobMessage>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const settings = new URL(import.meta.url).searchParams;
lowerThreadPriority(Number(settings.get('nice') ?? 0));
setSimdEnabled(settings.get('simd') !== 'off');

/** Whether this code runs in a dedicated worker (a `postMessage` without a target origin, an `onmessage`). */
function isDedicatedWorkerScope(scope: object): scope is DedicatedWorkerScope {
  return 'onmessage' in scope && typeof (scope as { postMessage?: unknown }).postMessage === 'function' && !('document' in scope);
}

const scope: object = globalThis;
if (!isDedicatedWorkerScope(scope)) throw new Error('web-mastering-worker.ts runs only as a dedicated Web Worker');
const post = (message: WorkerReply, transfer: ArrayBuffer[]) => scope.postMessage(message, transfer);

scope.onmessage = (event) => {
  void answerJobMessage(event.data, post).then((answer) => deliverReply(post, answer));
};
post(READY_REPLY, []);
