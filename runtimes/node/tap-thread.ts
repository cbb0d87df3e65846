/**
 * Render taps on a second core: a {@link TapHost} whose taps run in a worker
 * thread while the render's stages run on the calling thread. The render is
 * synchronous, so the host is too: each block is copied into a slot of
 * shared memory for the thread (the render may change its own block right
 * after) — or, when it lies in a working copy the thread made
 * (`workingCopy`), handed over where it lies, the copy's writers waiting
 * before they change a region the thread has not measured yet — and a tap's
 * `result()` blocks (`Atomics.wait`) until the thread has answered, which it
 * has mostly done by then, having measured the blocks as they came.
 *
 * Memory stays bounded and allocation-free: the calling thread never gets
 * more than `maxBlocksAhead` blocks ahead of the thread, and reuses a slot
 * once the thread has counted its block measured. Two taps fed the same block
 * (one pass's taps, in turn) share one copy. A thread that stops answering
 * (it died) fails the render after `stallMs` without progress instead of
 * hanging it. The thread's taps are built from the same {@link TapSpec}s as
 * the render's own (core/mastering/tap-host.ts), so their results are the
 * same bit for bit.
 */
import { receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type { Frames, StreamTap } from '../../core/dsp/stream-stage.ts';
import type { MeasurementInBackground, TapHost, TapResult, TapSpec } from '../../core/mastering/tap-host.ts';
import type { GuardTally } from '../../core/dsp/stereo-widener.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { BLOCKS_DONE, REPLIES, REQUESTS_SENT, sharedChannelOf, type SharedBlock, type TapThreadReply, type TapThreadRequest, type TapThreadWarmed } from './tap-thread-messages.ts';
import { spawnTapWorker, TAP_WORKER_URL, takeTapWorker } from './tap-thread-spawn.ts';
import { holdOpen } from './worker-hold.ts';
import { createHandedOverRegions } from './handed-over-regions.ts';
import { memoryTrackStore, type TrackStore } from '../../core/audio/pcm-source.ts';
import { copySamples } from '../../core/audio/copy-samples.ts';

export interface TapThreadOptions {
  readonly workerUrl?: URL;
  /** How far (in blocks) the render may run ahead of the thread, and so how many slots it fills; default 4 (2 MB for stereo 65536-frame blocks). */
  readonly maxBlocksAhead?: number;
  /** A thread that neither answers nor measures a block for this long has stopped: the render fails. Default 60 s. */
  readonly stallMs?: number;
  /** The thread's nice value (a pool worker's own, so the server's event loop keeps its priority); default 0, unchanged. */
  readonly nice?: number;
}

export interface TapThread {
  /**
   * The thread itself, which also analyses references sent to it before it
   * takes taps (`analyzeReferenceFilesOn`): a command that needs both boots
   * one thread, not two, while both cores are busy reading and analysing.
   */
  readonly worker: Worker;
  /** The host, once the thread has loaded; null when it could not start (the render then takes its taps itself). */
  readonly ready: Promise<TapHost | null>;
  /** The thread died or could not start: its host is of no more use. */
  failed(): boolean;
  /**
   * Has the thread page in `buffer` (memory the render will write later, such
   * as the limiter's curve) while it has nothing else to do: a fresh page
   * costs ~10 µs to map on the VMs measured, ~0.1 s for a 3-minute curve,
   * which the render then does not spend. Pages go in only while the thread
   * has nothing else to do: no tap open, or every request posted so far
   * handled (a pass whose stages are the slower side leaves it idle between
   * blocks), a few at a time then, so a request waits at most ~0.3 ms. The
   * promise settles once every page is in, or at once when the thread could
   * not start or has failed (the buffer is then just paged in when written).
   */
  warm(buffer: SharedArrayBuffer): Promise<void>;
  /**
   * A render's working copy in shared memory whose blocks the thread's taps
   * read where they lie, without a copy into a slot: writing a region, or
   * preparing to change it in place (`prepareWrite`), first waits while a
   * block handed over from it is still being measured; reading does not.
   */
  workingCopy(shape: { readonly sampleRateHz: number; readonly channelCount: number; readonly length: number }): TrackStore;
  /** Ends the thread (taps still open are dropped). */
  close(): Promise<void>;
}

/** Where `views` lie in shared memory; `what` names the caller in the error for views that do not. */
function sharedChannelsOrThrow(views: readonly Float32Array[], what: string) {
  return views.map((samples) => {
    const channel = sharedChannelOf(samples);
    if (!channel) throw new TypeError(`${what} in shared memory (views of a SharedArrayBuffer)`);
    return channel;
  });
}

/**
 * Starts the thread; it holds the process open only until it is ready.
 *
 * @example const taps = startTapThread(); masterStore(target, references, { tapHost: (await taps.ready) ?? undefined }); await taps.close();
 */
export function startTapThread(options: TapThreadOptions = {}): TapThread {
  // At least two: the thread counts a block measured only once the next one has come.
  const maxAhead = Math.max(2, options.maxBlocksAhead ?? 4);
  const stallMs = options.stallMs ?? 60_000;
  // The thread starts with the SIMD switch as this thread has it, so its taps compute what these would;
  // one the command started before its code loaded serves when it was started so.
  const settings = { simd: simdEnabled(), nice: options.nice ?? 0 };
  const started = (options.workerUrl === undefined ? takeTapWorker(settings) : null) ?? spawnTapWorker(options.workerUrl ?? TAP_WORKER_URL, settings);
  const { worker, signal, replies } = started;
  // A thread started ahead may have ended before this host listened.
  let failure: Error | null = started.ended();
  let nextWarmId = 1;
  worker.on('error', (error) => (failure ??= error));
  worker.on('exit', (code) => (failure ??= new Error(`the tap thread exited with code ${code}`)));
  const handedOver = createHandedOverRegions();
  /** Waits until no block handed over from bytes [from, to) of `buffer` is still being measured (set once the host exists). */
  let awaitRegionFree = (_buffer: SharedArrayBuffer, _from: number, _to: number): void => {};
  // Held open until the thread has loaded (or failed to).
  const releaseLoading = holdOpen(worker);
  const ready = started.loaded.then((error) => {
    releaseLoading();
    failure ??= error;
    return failure ? null : createHost();
  });

  function createHost(): TapHost {
    let nextId = 1;
    let blocksSent = 0;
    /** The block last posted, and the taps it was posted or referred to for. */
    let lastFrames: Frames | null = null;
    let fedLast = new Set<number>();
    const answered = new Map<number, TapThreadReply>();
    /** Shared slots, block n in slot n mod maxAhead; each grows to the largest block it held. */
    const slots: SharedArrayBuffer[] = [];

    /** Copies `frames` into the next slot, free once the block that filled it before was counted measured. */
    const share = (frames: Frames): SharedBlock => {
      const channels = frames.length;
      const count = channels ? frames[0].length : 0;
      const index = blocksSent % maxAhead;
      const bytes = channels * count * Float32Array.BYTES_PER_ELEMENT;
      if (!slots[index] || slots[index].byteLength < bytes) slots[index] = new SharedArrayBuffer(Math.max(bytes, slots[index]?.byteLength ?? 0));
      const buffer = slots[index];
      frames.forEach((samples, c) => copySamples(new Float32Array(buffer, c * count * Float32Array.BYTES_PER_ELEMENT, count), 0, samples));
      return { buffer, channels, frames: count };
    };

    /** After a wait: notes any progress since `since`; throws when the thread died or nothing has moved for `stallMs`. */
    const stalled = (since: { at: number; replies: number; blocks: number }) => {
      const replies = Atomics.load(signal, REPLIES);
      const blocks = Atomics.load(signal, BLOCKS_DONE);
      if (replies !== since.replies || blocks !== since.blocks) {
        Object.assign(since, { at: performance.now(), replies, blocks });
        return;
      }
      if (failure || performance.now() - since.at > stallMs) {
        throw new Error(`the tap thread stopped answering${failure ? ` (${failure.message})` : ` (nothing measured for ${stallMs} ms)`}`);
      }
    };
    const progress = () => ({ at: performance.now(), replies: Atomics.load(signal, REPLIES), blocks: Atomics.load(signal, BLOCKS_DONE) });

    const waitForRoom = () => {
      const since = progress();
      for (;;) {
        const done = Atomics.load(signal, BLOCKS_DONE);
        if (blocksSent - done < maxAhead) return;
        Atomics.wait(signal, BLOCKS_DONE, done, 200);
        stalled(since);
      }
    };

    /** The last block handed over that the thread was told it may count measured. */
    let released = -1;
    awaitRegionFree = (buffer, from, to) => {
      const since = progress();
      for (;;) {
        const done = Atomics.load(signal, BLOCKS_DONE);
        const latest = handedOver.latestOverlapping(buffer, from, to, done);
        if (latest < 0) return;
        // The block last sent is counted only when another comes: the render is done with it, so it says so.
        if (latest === blocksSent - 1 && released < latest) {
          request({ op: 'release' });
          released = latest;
          lastFrames = null;
        }
        Atomics.wait(signal, BLOCKS_DONE, done, 200);
        stalled(since);
      }
    };

    /** Posts a tap's request, counted first: the thread warms pages only while it has handled every request counted. */
    const request = (message: Exclude<TapThreadRequest, { op: 'warm' }>) => {
      Atomics.add(signal, REQUESTS_SENT, 1);
      worker.postMessage(message);
    };

    const takeReplies = () => {
      for (let message = receiveMessageOnPort(replies); message; message = receiveMessageOnPort(replies)) {
        const reply = message.message as TapThreadReply;
        answered.set(reply.id, reply);
      }
    };

    const replyFor = (id: number): TapThreadReply => {
      const since = progress();
      for (;;) {
        const seen = Atomics.load(signal, REPLIES);
        takeReplies();
        const reply = answered.get(id);
        if (reply) {
          answered.delete(id);
          return reply;
        }
        // A reply posted after takeReplies has bumped the counter past `seen`: the wait returns at once.
        Atomics.wait(signal, REPLIES, seen, 200);
        stalled(since);
      }
    };

    /** Asks for the result of tap or measurement `id` (posted after everything before it) and waits for it. */
    const resultOf = (id: number): { result: unknown } | { error: Error } => {
      request({ op: 'result', id });
      const reply = replyFor(id);
      return 'error' in reply ? { error: Object.assign(new Error(reply.error.message), reply.error) } : { result: reply.result };
    };

    /** Work `id` posted to run in the background; its result is asked for once, when first wanted. */
    const inBackground = <T>(id: number): MeasurementInBackground<T> => {
      let outcome: { result: unknown } | { error: Error } | null = null;
      return {
        result() {
          outcome ??= resultOf(id);
          if ('error' in outcome) throw outcome.error;
          return outcome.result as T;
        },
      };
    };

    return {
      measureShared<S extends TapSpec>(spec: S, channels: readonly Float32Array[], blockFrames: number): MeasurementInBackground<TapResult<S>> {
        const id = nextId++;
        request({ op: 'measure', id, spec, channels: sharedChannelsOrThrow(channels, 'measureShared takes channels'), blockFrames });
        return inBackground<TapResult<S>>(id);
      },
      widenShared(channels, part) {
        const id = nextId++;
        const what = 'widenShared takes channels and settling input';
        request({ op: 'widen', id, channels: sharedChannelsOrThrow(channels, what), part: { ...part, settle: sharedChannelsOrThrow(part.settle, what) } });
        return inBackground<GuardTally>(id);
      },
      open<S extends TapSpec>(spec: S): StreamTap<TapResult<S>> {
        const id = nextId++;
        request({ op: 'open', id, spec });
        let outcome: { result: TapResult<S> } | { error: Error } | null = null;
        return {
          push(frames) {
            if (outcome) throw new Error('tap pushed after its result');
            if (frames === lastFrames && !fedLast.has(id)) {
              fedLast.add(id);
              request({ op: 'push', id });
              return;
            }
            waitForRoom();
            const regions = handedOver.regionsOf(frames);
            if (regions) {
              request({ op: 'push', id, regions });
              handedOver.handOver(blocksSent, regions);
            } else {
              request({ op: 'push', id, block: share(frames) });
            }
            blocksSent++;
            lastFrames = frames;
            fedLast = new Set([id]);
          },
          result() {
            if (!outcome) {
              // The pass is over: its last block is not the next pass's.
              lastFrames = null;
              outcome = resultOf(id) as { result: TapResult<S> } | { error: Error };
            }
            if ('error' in outcome) throw outcome.error;
            return outcome.result;
          },
        };
      },
    };
  }

  return {
    worker,
    ready,
    failed: () => failure !== null,
    async warm(buffer) {
      const host = await ready;
      if (!host || failure) return;
      const id = nextWarmId++;
      const warmed = new Promise<void>((resolve) => {
        const onMessage = (message: Partial<TapThreadWarmed>) => {
          if (message.type !== 'warmed' || message.id !== id) return;
          done();
        };
        // Someone awaits the answer: the thread holds the process open until it comes.
        const release = holdOpen(worker);
        const done = () => {
          worker.off('message', onMessage);
          worker.off('exit', done);
          release();
          resolve();
        };
        worker.on('message', onMessage);
        worker.on('exit', done);
      });
      worker.postMessage({ op: 'warm', id, buffer } satisfies TapThreadRequest);
      return warmed;
    },
    workingCopy(shape) {
      const channels = Array.from({ length: shape.channelCount }, () => {
        const buffer = new SharedArrayBuffer(shape.length * Float32Array.BYTES_PER_ELEMENT);
        handedOver.admit(buffer);
        return new Float32Array(buffer);
      });
      const store = memoryTrackStore(channels, shape.sampleRateHz);
      const awaitFree = (start: number, count: number) => {
        const end = Math.min(shape.length, start + count);
        if (end <= start) return;
        for (const samples of channels) awaitRegionFree(samples.buffer as SharedArrayBuffer, start * Float32Array.BYTES_PER_ELEMENT, end * Float32Array.BYTES_PER_ELEMENT);
      };
      return {
        ...store,
        prepareWrite: awaitFree,
        write(start, frames) {
          awaitFree(start, frames.length ? frames[0].length : 0);
          store.write(start, frames);
        },
      };
    },
    async close() {
      // Held open until the thread has gone: an unreferenced thread's exit could otherwise come after the process ran out of work.
      holdOpen(worker);
      await worker.terminate();
    },
  };
}
