// The tap thread (see tap-thread.ts): first, where its command asks, it
// analyses the job's references (reference-analysis-service.ts: one thread
// booted instead of two); then it builds the taps it is told to open,
// feeds them the blocks it is sent (views of shared slots, or of the render's
// working copy itself; a tap keeps copies of what it needs), in order,
// counting each block measured once the next arrives (every tap of its pass
// has had it then) or the render releases it,
// and answers each `result` on the reply port, counting the answer. Whole
// tracks in shared memory it measures in its idle turns
// (background-measurements.ts), before it warms pages; the part of such a
// track a split widener pass leaves it, it widens there in place
// (core/mastering/split-widener-pass.ts). Loaded through
// tap-thread-worker.mjs.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { StreamTap } from '../../core/dsp/stream-stage.ts';
import { createTap } from '../../core/mastering/tap-host.ts';
import { widenPartFrom } from '../../core/mastering/split-widener-pass.ts';
import type { GuardTally } from '../../core/dsp/stereo-widener.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';
import { lowerThreadPriority } from '../shared/thread-priority.ts';
import { BLOCKS_DONE, REPLIES, REQUESTS_SENT, viewOfSharedChannel, type SharedBlock, type TapThreadReply, type TapThreadRequest, type TapThreadWarmed } from './tap-thread-messages.ts';
import { isReferenceAnalysisRequest, serveReferenceAnalysis } from './reference-analysis-service.ts';
import { createBackgroundMeasurements } from './background-measurements.ts';

const port = parentPort;
if (!port) throw new Error('tap-thread-worker.ts runs inside a worker thread (see tap-thread.ts)');
const settings = workerData as { simd: boolean; nice: number; signal: SharedArrayBuffer; replyPort: MessagePort };
setSimdEnabled(settings.simd);
// Started by a pool worker: as low a priority as that worker's (the server's event loop comes first).
lowerThreadPriority(settings.nice);
const signal = new Int32Array(settings.signal);
const replyPort = settings.replyPort;

/** Open taps; a tap whose opening or feeding failed keeps the error for its result. */
const taps = new Map<number, { readonly tap: StreamTap<unknown> | null; error: unknown }>();
let lastBlock: Float32Array[] = [];
/** Whether the block last received is still to be counted measured (when the next comes, or on `release`). */
let lastUncounted = false;
/** Requests handled (open, push, release, measure, widen, result), against the render's thread's count of those it posted. */
let requestsHandled = 0;
const measurements = createBackgroundMeasurements();
/** Widener parts done (`widen`), each kept for its `result` request. */
const widened = new Map<number, { readonly result: GuardTally } | { readonly error: unknown }>();

/** Views of a block's channels in its shared slot (valid until the block is counted measured). */
const viewsOf = ({ buffer, channels, frames }: SharedBlock) =>
  Array.from({ length: channels }, (_, c) => new Float32Array(buffer, c * frames * Float32Array.BYTES_PER_ELEMENT, frames));

const count = (slot: number) => {
  Atomics.add(signal, slot, 1);
  Atomics.notify(signal, slot);
};

/** Pages touched per turn of the event loop while warming with no tap open (1 MiB). */
const WARM_PAGES_PER_TURN = 256;
/** Pages touched per turn while taps are open (caught up with their requests): a request that comes meanwhile waits ~0.3 ms. */
const WARM_PAGES_BETWEEN_REQUESTS = 32;
const PAGE_INTS = 4096 / Int32Array.BYTES_PER_ELEMENT;

/** Buffers to warm, in the order asked, with the page each has reached. */
const toWarm: { readonly id: number; readonly words: Int32Array; page: number }[] = [];
let idleScheduled = false;

/** Whether every request the render's thread has counted is handled: nothing it posted waits. */
const caughtUp = () => Atomics.load(signal, REQUESTS_SENT) === requestsHandled;

/**
 * One turn of idle work: a block of the oldest background measurement, else
 * a slice of page warming. Measuring runs only while this thread has caught
 * up with the render's requests (a pass whose stages are slower than its
 * taps leaves it idle between blocks), so a tap opened after a measurement
 * is answered first and a request that comes meanwhile waits one block.
 * A turn that finds requests waiting schedules no other: the next request
 * handled resumes the work (no timer polls: a thread that is ended must be
 * idle).
 */
function idleTurn(): void {
  idleScheduled = false;
  if (measurements.pending()) {
    if (!caughtUp()) return;
    measurements.step();
  } else if (!warmSlice()) {
    return;
  }
  scheduleIdleWork();
}

/**
 * Touches one word in every page of a slice of the buffers in
 * {@link toWarm}, only while this thread has nothing else to do: no tap
 * open, or every request the render's thread has counted handled (a pass
 * whose taps are the slower side keeps requests waiting, and then nothing is
 * warmed). A compare-exchange of 0 for 0 is a write to the page (the system
 * maps it in for writing, as the render's first store would) that changes
 * nothing, even where the render has already written. False when there was
 * nothing to do now.
 */
function warmSlice(): boolean {
  const next = toWarm[0];
  const tapsOpen = taps.size > 0;
  if (!next || (tapsOpen && !caughtUp())) return false;
  const pages = Math.ceil(next.words.length / PAGE_INTS);
  const end = Math.min(pages, next.page + (tapsOpen ? WARM_PAGES_BETWEEN_REQUESTS : WARM_PAGES_PER_TURN));
  for (let page = next.page; page < end; page++) Atomics.compareExchange(next.words, page * PAGE_INTS, 0, 0);
  next.page = end;
  if (end === pages) {
    toWarm.shift();
    port!.postMessage({ type: 'warmed', id: next.id } satisfies TapThreadWarmed);
  }
  return true;
}

function scheduleIdleWork(): void {
  if (idleScheduled || (toWarm.length === 0 && !measurements.pending())) return;
  idleScheduled = true;
  setImmediate(idleTurn);
}

serveReferenceAnalysis(port);
port.on('message', (request: TapThreadRequest) => {
  if (isReferenceAnalysisRequest(request)) return;
  if (request.op === 'warm') {
    toWarm.push({ id: request.id, words: new Int32Array(request.buffer, 0, Math.floor(request.buffer.byteLength / Int32Array.BYTES_PER_ELEMENT)), page: 0 });
    scheduleIdleWork();
    return;
  }
  requestsHandled++;
  if (request.op === 'open') {
    try {
      taps.set(request.id, { tap: createTap(request.spec), error: null });
    } catch (error) {
      taps.set(request.id, { tap: null, error });
    }
  } else if (request.op === 'push') {
    // The block before is counted measured only now: the taps after the first may still have read its slot.
    const fresh = request.block ? viewsOf(request.block) : request.regions ? request.regions.map(viewOfSharedChannel) : null;
    if (fresh) {
      if (lastUncounted) count(BLOCKS_DONE);
      lastUncounted = true;
      lastBlock = fresh;
    }
    const entry = taps.get(request.id);
    if (entry?.tap && entry.error === null) {
      try {
        entry.tap.push(lastBlock);
      } catch (error) {
        entry.error = error;
      }
    }
  } else if (request.op === 'release') {
    if (lastUncounted) count(BLOCKS_DONE);
    lastUncounted = false;
    lastBlock = [];
  } else if (request.op === 'measure') {
    measurements.add(request.id, request.spec, request.channels, request.blockFrames);
  } else if (request.op === 'widen') {
    // The part is written in place: what was asked to be measured before it reads the track as it was.
    while (measurements.pending()) measurements.step();
    try {
      const { settle, ...part } = request.part;
      widened.set(request.id, { result: widenPartFrom(request.channels.map(viewOfSharedChannel), { ...part, settle: settle.map(viewOfSharedChannel) }) });
    } catch (error) {
      widened.set(request.id, { error });
    }
  } else {
    const entry = taps.get(request.id);
    taps.delete(request.id);
    let reply: TapThreadReply;
    try {
      const part = widened.get(request.id);
      widened.delete(request.id);
      if (part) {
        if ('error' in part) throw part.error;
        reply = { id: request.id, result: part.result };
      } else if (measurements.has(request.id)) {
        reply = { id: request.id, result: measurements.finish(request.id) };
      } else {
        if (!entry) throw new Error(`no tap ${request.id} is open on the tap thread`);
        if (entry.error !== null || !entry.tap) throw entry.error;
        reply = { id: request.id, result: entry.tap.result() };
      }
    } catch (error) {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      reply = { id: request.id, error: { name, message, stack } };
    }
    // A whole-track array (block energies or peaks: 86 MB for an hour at 48 kHz) is moved, not copied: this thread is done with it.
    const result = 'result' in reply ? reply.result : null;
    const movable = ArrayBuffer.isView(result) && result.byteOffset === 0 && result.byteLength === result.buffer.byteLength && result.buffer instanceof ArrayBuffer;
    replyPort.postMessage(reply, movable ? [result.buffer as ArrayBuffer] : []);
    count(REPLIES);
  }
  scheduleIdleWork();
});
port.postMessage({ type: 'ready' });
