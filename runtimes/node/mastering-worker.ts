// The Node mastering worker (a worker thread of runtimes/node/pool.ts): runs
// each job it is sent through the shared protocol and posts the answer back,
// the WAV moved rather than copied, and collects garbage once idle (see
// idle-collector.ts). Loaded through mastering-worker.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../shared/thread-priority.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { createIdleCollector } from './idle-collector.ts';
import { createThreadedReferenceAnalyzer } from './reference-analysis-thread.ts';
import { answerJobMessage, deliverReply, READY_REPLY, type WorkerJobMessage, type WorkerReply } from '../../core/app/worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('mastering-worker.ts runs inside a worker thread (see runtimes/node/pool.ts)');

const settings = workerData as { nice?: number; simd?: boolean } | undefined;
lowerThreadPriority(settings?.nice ?? 0);
setSimdEnabled(settings?.simd ?? true);

const post = (message: WorkerReply, transfer: ArrayBuffer[]) => port.postMessage(message, transfer);
// For a job sent while a core was spare: its references are analysed on a thread of their own meanwhile.
// One thread, kept warm between jobs (a cold thread would cost what it saves).
const referenceAnalyzer = createThreadedReferenceAnalyzer(undefined, { nice: settings?.nice ?? 0, keep: true });

const idle = createIdleCollector();

port.on('message', (message: WorkerJobMessage) => {
  idle.busy();
  void answerJobMessage(message, post, referenceAnalyzer)
    .then((answer) => deliverReply(post, answer))
    .finally(() => idle.done());
});
post(READY_REPLY, []);
