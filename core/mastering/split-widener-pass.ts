/**
 * The width stage's pass split between two threads. The widener is the
 * render's heaviest stage (a long FIR on the side, by FFT) and its pass has
 * nothing else for the tap thread to do, so where the track lies in shared
 * memory the tap thread widens the second part in place while this thread
 * widens the first: the same master bit for bit, in a little over half the
 * time.
 *
 * The part from frame `from` on starts a stream there (guard blocks where the
 * whole track has them) and first takes, from a copy, enough of the input
 * before `from` to settle (`settleFrames`): the FIR's history and round-off,
 * and the guard's limits, are then what the whole track's stream has there.
 * The first part, from a copy too, takes the input after `from` that its last
 * frames wait for (`lookaheadFrames`). Both copies are taken before either
 * part writes; every push is one of the pass's own blocks, at the pass's own
 * places, so the FIR's chunks fall where they would.
 */
import type { TrackStore } from '../audio/pcm-source.ts';
import { guardedFractionOf, stereoWidenerOfTaps, type GuardTally, type StereoWidener, type StereoWidenerReport, type WidenerStream } from '../dsp/stereo-widener.ts';
import type { Frames, StreamTap } from '../dsp/stream-stage.ts';
import { sharedChannelsOf, type TapHost } from './tap-host.ts';
import { copySamples } from '../audio/copy-samples.ts';

/** The part of a widener pass another thread takes: frames [from, end) of a track in shared memory. */
export interface WidenerPart {
  /** The widener's side FIR (`StereoWidener.taps`). */
  readonly taps: Float32Array;
  readonly sampleRateHz: number;
  /** The part's first frame: a multiple of `blockFrames`. */
  readonly from: number;
  readonly blockFrames: number;
  /** The input just before `from` (whole blocks, at least the widener's `settleFrames`), as it was before the first part wrote over it. */
  readonly settle: readonly Float32Array[];
  /**
   * Where the part tells how far it has written (slot 0, a frame, notified
   * as it moves; −1 once it has failed), for whoever reads its output as it
   * comes: a shared Int32Array.
   */
  readonly progress?: Int32Array;
}

/**
 * Widens frames [part.from, end) of `channels` in place, as the whole pass
 * would; returns the guard's counts of the blocks that close after `from`.
 *
 * @example const tally = widenPartFrom(sharedChannels, { taps: widener.taps, sampleRateHz: 44100, from: 65536 * 20, blockFrames: 65536, settle });
 */
export function widenPartFrom(channels: readonly Float32Array[], part: WidenerPart): GuardTally {
  const { progress } = part;
  try {
    return widenPart(channels, part, (frame) => {
      if (!progress) return;
      Atomics.store(progress, 0, frame);
      Atomics.notify(progress, 0);
    });
  } catch (error) {
    if (progress) {
      Atomics.store(progress, 0, -1);
      Atomics.notify(progress, 0);
    }
    throw error;
  }
}

function widenPart(channels: readonly Float32Array[], part: WidenerPart, wroteUpTo: (frame: number) => void): GuardTally {
  const { from, blockFrames, settle } = part;
  const length = channels[0].length;
  const settleLength = settle[0].length;
  if (channels.length !== 2 || settle.length !== 2) throw new RangeError('a widener part takes a stereo pair');
  if (from % blockFrames !== 0 || settleLength % blockFrames !== 0 || settleLength > from || from >= length) {
    throw new RangeError(`a widener part starts on the pass's blocks, after its settling input (from ${from}, settle ${settleLength}, blocks ${blockFrames}, length ${length})`);
  }
  const widener = stereoWidenerOfTaps(part.taps, part.sampleRateHz);
  const stream = widener.stream(from - settleLength);
  let written = from - settleLength;
  const emit = (frames: Frames) => {
    const count = frames[0].length;
    const skip = Math.max(0, from - written);
    if (count > skip) channels.forEach((samples, c) => copySamples(samples, written + skip, frames[c].subarray(skip)));
    written += count;
    if (count > skip) wroteUpTo(written);
  };
  // The settling copy is this part's own: the stream may change it in place.
  for (let start = 0; start < settleLength; start += blockFrames) emit(stream.push(settle.map((samples) => samples.subarray(start, start + blockFrames))));
  const atFrom = stream.tally();
  for (let start = from; start < length; start += blockFrames) {
    const end = Math.min(length, start + blockFrames);
    emit(stream.push(channels.map((samples) => samples.subarray(start, end))));
  }
  emit(stream.finish());
  if (written !== length) throw new Error(`widener part wrote up to frame ${written} of ${length}`);
  const end = stream.tally();
  return { closed: end.closed - atFrom.closed, guarded: end.guarded - atFrom.guarded };
}

/** Where a widener pass splits, or null when it runs whole here. */
export interface WidenerSplit {
  readonly host: TapHost & Required<Pick<TapHost, 'widenShared'>>;
  readonly channels: readonly Float32Array[];
  readonly from: number;
  readonly settleBlocks: number;
  readonly lookaheadBlocks: number;
}

/**
 * The share of a split pass's blocks this thread widens: besides them it
 * pushes the look-ahead copy, and with taps it feeds them every frame, the
 * other part's too (as that part writes them), so it takes fewer. Measured
 * on a 3-minute pair: a block widened here with the taps ~1.3× a block
 * widened on the tap thread, and the taps on one of its blocks ~0.17× of it.
 */
const FIRST_PART_SHARE = { withTaps: 0.4, alone: 0.47 };

/**
 * Whether the pass of `widener` over `store` splits: a stereo track in shared
 * memory, a host that widens there, and blocks enough that each part has a
 * few beyond what settles it. The split point leaves both threads about the
 * same work (see {@link FIRST_PART_SHARE}).
 */
export function widenerSplit(store: TrackStore, widener: StereoWidener, host: TapHost | undefined, blockFrames: number, withTaps: boolean): WidenerSplit | null {
  if (!host?.widenShared || store.channelCount !== 2) return null;
  const channels = sharedChannelsOf(store);
  if (!channels) return null;
  const blocks = Math.ceil(store.length / blockFrames);
  const settleBlocks = Math.ceil(widener.settleFrames / blockFrames);
  const lookaheadBlocks = Math.ceil(widener.lookaheadFrames / blockFrames);
  // Each part pushes its own blocks plus the other side's copies; below a few each, the copies cost what the split saves.
  if (blocks < 2 * (settleBlocks + lookaheadBlocks) + 4) return null;
  const share = withTaps ? FIRST_PART_SHARE.withTaps : FIRST_PART_SHARE.alone;
  const fromBlock = Math.min(blocks - lookaheadBlocks - 1, Math.max(settleBlocks, Math.round(blocks * share)));
  return { host: host as WidenerSplit['host'], channels, from: fromBlock * blockFrames, settleBlocks, lookaheadBlocks };
}

/**
 * The widener's pass over `store`, split as `split` says: the part from
 * `split.from` on widened on the host while this thread widens the part
 * before it; `taps` see every frame written, in order (here: the host is
 * busy widening). The report is the whole pass's.
 *
 * @example const split = widenerSplit(store, widener, tapHost, 65536, true); if (split) runSplitWidenerPass(store, widener, split, [programmeTap], 65536);
 */
export function runSplitWidenerPass(store: TrackStore, widener: StereoWidener, split: WidenerSplit, taps: readonly StreamTap<unknown>[], blockFrames: number): StereoWidenerReport {
  const { from, channels } = split;
  const length = store.length;
  // Both copies before either part writes; the host's part may write from `from` on once it has them.
  const settle = channels.map((samples) => {
    const copy = new Float32Array(new SharedArrayBuffer(split.settleBlocks * blockFrames * Float32Array.BYTES_PER_ELEMENT));
    copySamples(copy, 0, samples.subarray(from - copy.length, from));
    return copy;
  });
  const lookahead = channels.map((samples) => samples.slice(from, Math.min(length, from + split.lookaheadBlocks * blockFrames)));
  store.prepareWrite?.(from, length - from);
  const progress = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  Atomics.store(progress, 0, from);
  const second = split.host.widenShared(channels, { taps: widener.taps, sampleRateHz: store.sampleRateHz, from, blockFrames, settle, progress });
  const firstTally = widenUntil(store, widener.stream(), from, lookahead, taps, blockFrames);
  // The taps follow the other part as it writes.
  for (let start = from; taps.length > 0 && start < length; start += blockFrames) {
    const end = Math.min(length, start + blockFrames);
    awaitWritten(progress, end, () => second.result());
    const frames = store.read(start, end - start);
    for (const tap of taps) tap.push(frames);
  }
  const secondTally = second.result();
  return { guardedFraction: guardedFractionOf({ closed: firstTally.closed + secondTally.closed, guarded: firstTally.guarded + secondTally.guarded }) };
}

/** Frames [0, from) of `store` through `stream`, written back and shown to `taps`; then the look-ahead copy, of whose output only what falls before `from` is kept. The guard's counts at `from`. */
function widenUntil(store: TrackStore, stream: WidenerStream, from: number, lookahead: readonly Float32Array[], taps: readonly StreamTap<unknown>[], blockFrames: number): GuardTally {
  let written = 0;
  const emit = (frames: Frames) => {
    const count = Math.min(frames[0].length, from - written);
    if (count <= 0) return;
    const kept = count === frames[0].length ? frames : frames.map((samples) => samples.subarray(0, count));
    store.write(written, kept);
    for (const tap of taps) tap.push(kept);
    written += count;
  };
  for (let start = 0; start < from; start += blockFrames) {
    store.prepareWrite?.(start, blockFrames);
    emit(stream.push(store.read(start, blockFrames)));
  }
  const atFrom = stream.tally();
  for (let start = 0; start < lookahead[0].length && written < from; start += blockFrames) {
    emit(stream.push(lookahead.map((samples) => samples.subarray(start, start + blockFrames))));
  }
  if (written !== from) throw new Error(`widener's first part wrote up to frame ${written} of ${from}`);
  return atFrom;
}

/** Time without progress after which the other part's own result is asked for: it tells whether the part failed or its thread stopped. */
const QUIET_MS = 1000;

/** Waits until `progress` has reached `frame`; a part that failed (−1) or went quiet is asked for its result, which throws its failure. */
function awaitWritten(progress: Int32Array, frame: number, resultOfPart: () => GuardTally): void {
  let last = Atomics.load(progress, 0);
  let since = Date.now();
  while (last < frame) {
    if (last < 0 || Date.now() - since > QUIET_MS) {
      resultOfPart();
      // Answered without failing: the part is done, all of it written.
      return;
    }
    Atomics.wait(progress, 0, last, 100);
    const now = Atomics.load(progress, 0);
    if (now !== last) since = Date.now();
    last = now;
  }
}
