// The Node mastering worker (a worker thread of runtimes/node/pool.ts): runs
// each job it is sent through the shared protocol and posts the answer back,
// the WAV moved rather than copied, and collects garbage once idle (see
// idle-collector.ts). Loaded through mastering-worker.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../shared/thread-priority.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { createIdleCollector } from './idle-collector.ts';
import { createThreadedReferenceAnalyzer } from './reference-analysis-thread.ts';
import { startTapThread, type TapThread } from './tap-thread.ts';
import { warmCurveFor } from './warm-curve.ts';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { MEMORY_CURVE_FRAMES, type CurveStoreFactory } from '../../core/mastering/convergence.ts';
import type { TapHost } from '../../core/mastering/tap-host.ts';
import { answerJobMessage, deliverReply, READY_REPLY, type SpareCoreHelpers, type WorkerJobMessage, type WorkerReply } from '../../core/app/worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('mastering-worker.ts runs inside a worker thread (see runtimes/node/pool.ts)');

const settings = workerData as { nice?: number; simd?: boolean } | undefined;
lowerThreadPriority(settings?.nice ?? 0);
setSimdEnabled(settings?.simd ?? true);

const post = (message: WorkerReply, transfer: ArrayBuffer[]) => port.postMessage(message, transfer);
// For a job sent while a core is spare: its references are analysed, and its
// render's taps taken, on threads of their own meanwhile. Each thread is kept
// warm between jobs (a cold thread would cost what it saves); the tap thread
// starts with the first such job (a worker that never has a spare core never
// starts it), which then still takes its taps itself.
const nice = settings?.nice ?? 0;
const referenceAnalyzer = createThreadedReferenceAnalyzer(undefined, { nice, keep: true });
let tapThread: TapThread | null = null;
let tapHost: TapHost | undefined;
const spareCoreHelpers = (message: WorkerJobMessage): SpareCoreHelpers => {
  if (message.type !== 'master' || !message.spareCore) return {};
  if (!tapThread || tapThread.failed()) {
    tapHost = undefined;
    const starting = startTapThread({ nice });
    tapThread = starting;
    void starting.ready.then((host) => {
      if (tapThread === starting) tapHost = host ?? undefined;
    });
  }
  const thread = tapThread;
  return { referenceAnalyzer, tapHost, curveStoreFor: tapHost ? (shape) => warmedCurveStore(thread, shape) : undefined };
};

/**
 * The render's curve in memory the tap thread pages in while the job decides
 * and probes (asked once the references are in, so it does not compete with
 * them), for a track whose curve the render keeps in memory anyway; else the
 * render's default.
 */
function warmedCurveStore(thread: TapThread, shape: { readonly sampleRateHz: number; readonly length: number }): CurveStoreFactory | undefined {
  const curve = warmCurveFor(shape.length, MEMORY_CURVE_FRAMES * Float32Array.BYTES_PER_ELEMENT);
  if (!curve) return undefined;
  void thread.warm(curve.memory);
  return (curveShape) => curve.take(curveShape) ?? memoryTrackStore([new Float32Array(curveShape.length)], curveShape.sampleRateHz);
}

const idle = createIdleCollector();

port.on('message', (message: WorkerJobMessage) => {
  idle.busy();
  void answerJobMessage(message, post, spareCoreHelpers(message))
    .then((answer) => deliverReply(post, answer))
    .finally(() => idle.done());
});
post(READY_REPLY, []);
