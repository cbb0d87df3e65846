/**
 * Width change of a stereo pair by mid/side: S = (L − R) / 2 is filtered by a
 * minimum-phase FIR whose gain follows a per-band curve (smooth crossovers,
 * see `sideGainDbAt`), M = (L + R) / 2 is left alone, so the mono mix — and
 * the tone matched on it — does not change. A correlation guard then holds
 * every 50 ms block where widening would make the side outweigh the mid
 * (L/R correlation below 0) back to what the target had there: the widener
 * never turns an in-phase passage out of phase.
 */
import { createFirConvolution, prepareFirKernel, type FirKernel } from './fir-convolution.ts';
import { designMinimumPhaseFir } from './minimum-phase.ts';
import { processWhole, type Frames, type StreamStage } from './stream-stage.ts';
import { midSideBlockEnergies, toLeftRight, toMidSide } from './mid-side.ts';
import { copySamples } from '../audio/copy-samples.ts';

export interface StereoWidenerSettings {
  readonly sampleRateHz: number;
  /** Side gain (dB) at a frequency. */
  readonly sideGainDbAt: (frequencyHz: number) => number;
  /** FIR length in seconds (resolution of the side curve). */
  readonly firSeconds: number;
}

export interface StereoWidenerReport {
  /** Share of guard blocks where the correlation guard held the widening back. */
  readonly guardedFraction: number;
}

export interface StereoWidener {
  /** The side's minimum-phase FIR. */
  readonly taps: Float32Array;
  /** Changes the width of a stereo pair in place. */
  process(channels: readonly Float32Array[]): StereoWidenerReport;
  /**
   * The widener as a stream stage. It holds back up to two guard blocks (a
   * block's gain ramps towards the next block's limit, so it waits for that
   * block to end); finish() returns the rest. Channels other than a pair pass
   * through. With `startFrame`, the stream takes the track from that frame
   * on, its guard blocks where the whole track's lie (see `split-widener-pass.ts`).
   */
  stream(startFrame?: number): WidenerStream;
  /**
   * Input frames a stream started mid-track takes before what it puts out is
   * the whole track's stream's, bit for bit: two FIR chunks (the first pair's
   * transform carries the round-off of the history it lacked), then three
   * guard blocks (a block's ramp looks two blocks back).
   */
  readonly settleFrames: number;
  /** Input frames after a frame that must come in before the stream has put that frame out (the next two guard blocks). */
  readonly lookaheadFrames: number;
}

/** The widener's stream stage, with its guard's counts so far. */
export interface WidenerStream extends StreamStage<StereoWidenerReport> {
  tally(): GuardTally;
}

/** Guard blocks closed (from the track's first, counting those before a stream's start frame) and those held back. */
export interface GuardTally {
  readonly closed: number;
  readonly guarded: number;
}

/** Largest side/mid power ratio the widening may produce in a block: −0.5 dB, correlation ≥ 0.03. */
const GUARD_SIDE_TO_MID = Math.pow(10, -0.5 / 10);
const GUARD_BLOCK_SECONDS = 0.05;

/**
 * @example createStereoWidener({ sampleRateHz: 44100, sideGainDbAt: (hz) => (hz > 200 ? 6 : 0), firSeconds: 0.093 }).process([left, right]);
 * @example const stage = widener.stream(); for (const block of blocks) write(stage.push(block)); write(stage.finish());
 */
export function createStereoWidener(settings: StereoWidenerSettings): StereoWidener {
  const { sampleRateHz } = settings;
  return stereoWidenerOfTaps(designMinimumPhaseFir(settings.sideGainDbAt, sampleRateHz, Math.round(settings.firSeconds * sampleRateHz)), sampleRateHz);
}

/**
 * The widener whose side FIR is `taps` (the `taps` of another widener: a
 * thread that widens part of a track builds the same widener without
 * designing its FIR again).
 *
 * @example const same = stereoWidenerOfTaps(widener.taps, 44100);
 */
export function stereoWidenerOfTaps(taps: Float32Array, sampleRateHz: number): StereoWidener {
  const kernel = prepareFirKernel(taps);
  const guardBlock = Math.max(1, Math.round(GUARD_BLOCK_SECONDS * sampleRateHz));
  const stream = (startFrame = 0) => createWidenerStream(kernel, guardBlock, startFrame);
  return {
    taps,
    process: (channels) => processWhole(stream(), channels),
    stream,
    settleFrames: 2 * kernel.blockSize + kernel.taps.length + 3 * guardBlock,
    lookaheadFrames: 2 * guardBlock + 1,
  };
}

/**
 * Each push: mid into the left, side into the right (the side's energy before
 * filtering summed per guard block), the side through the FIR, then per guard
 * block the energies after, and each block whose next block has ended is
 * widened back to left/right with its gain ramp and goes out. Frames not yet
 * out (under two guard blocks) wait in `held`, already mid/side and filtered.
 */
function createWidenerStream(kernel: FirKernel, guardBlock: number, startFrame: number): WidenerStream {
  if (!(Number.isInteger(startFrame) && startFrame >= 0)) throw new RangeError(`startFrame must be a non-negative integer, got ${startFrame}`);
  const sideFilter = createFirConvolution(kernel);
  const held = [new Float32Array(2 * guardBlock), new Float32Array(2 * guardBlock)];
  let out = [new Float32Array(0), new Float32Array(0)];
  /** Frames received and frames out; `held` starts at frame `heldFrom` (where the last push left it) and ends at `received`. */
  let received = startFrame;
  let emitted = startFrame;
  let heldFrom = startFrame;
  // Sums over the guard block still open.
  let sideBefore = 0;
  let midEnergy = 0;
  let sideEnergy = 0;
  /** Side energies before filtering, and mid and side energies after, of the blocks a push closes, by the order they close. */
  let closedSideBefore = new Float64Array(2);
  let closedMid = new Float64Array(2);
  let closedSide = new Float64Array(2);
  // Limits of the last two blocks closed, and how many closed and were guarded.
  let limitTwoBack = 1;
  let limitOneBack = 1;
  // Counted from the track's first block, so `widen` places a block where the whole track has it.
  let blocks = Math.floor(startFrame / guardBlock);
  let guarded = 0;
  let passThrough: Frames | null = null;

  /** Widens block `block`, up to frame `end`, with its ramp g0 → g1: the held frames below `received`, then `input`'s. */
  const widen = (block: number, g0: number, g1: number, input: Frames | null, end: number) => {
    const start = block * guardBlock;
    const dg = (g1 - g0) / guardBlock;
    // A stream started mid-block has nothing held before its start frame.
    const heldStart = Math.max(start, heldFrom);
    const heldEnd = Math.min(end, received);
    if (heldStart < heldEnd) toLeftRight(held[0], held[1], heldStart - heldFrom, heldEnd - heldFrom, g0, dg, heldStart - start);
    if (input && end > received) {
      const from = Math.max(start, received);
      toLeftRight(input[0], input[1], from - received, end - received, g0, dg, from - start);
    }
    // A block ending before a stream's start frame emits nothing.
    emitted = Math.max(emitted, end);
  };

  /** Block `blocks` has closed with `limit`: the one before it can go out, its ramp ending at the smaller of the two limits. */
  const close = (limit: number, input: Frames | null) => {
    if (limit < 1) guarded++;
    if (blocks >= 1) {
      const g0 = blocks === 1 ? limitOneBack : Math.min(limitTwoBack, limitOneBack);
      widen(blocks - 1, g0, Math.min(limitOneBack, limit), input, blocks * guardBlock);
    }
    limitTwoBack = limitOneBack;
    limitOneBack = limit;
    blocks++;
  };

  return {
    push(input) {
      if (input.length !== 2 || passThrough) {
        passThrough ??= input.map(() => new Float32Array(0));
        return input;
      }
      const [left, right] = input;
      const length = left.length;
      const total = received + length;
      // Frames in this push until the open guard block ends, and how many blocks it closes.
      const firstEnd = guardBlock - (received % guardBlock);
      const closing = Math.floor(total / guardBlock) - Math.floor(received / guardBlock);
      if (closedSideBefore.length < closing) {
        closedSideBefore = new Float64Array(closing);
        closedMid = new Float64Array(closing);
        closedSide = new Float64Array(closing);
      }
      sideBefore = toMidSide(left, right, firstEnd, guardBlock, sideBefore, closedSideBefore);
      sideFilter.push([right]);
      [midEnergy, sideEnergy] = midSideBlockEnergies(left, right, firstEnd, guardBlock, midEnergy, sideEnergy, closedMid, closedSide);
      // Every energy is in before the first block goes out: widening only touches frames already summed.
      for (let closed = 0; closed < closing; closed++) close(guardLimit(closedMid[closed], closedSide[closed], closedSideBefore[closed]), input);

      // Out: the held frames that went out, then this push's.
      const fromHeld = Math.max(0, Math.min(emitted, received) - heldFrom);
      const fromInput = Math.max(0, emitted - received);
      let ready: Frames;
      if (fromHeld === 0) {
        ready = fromInput === length ? input : input.map((samples) => samples.subarray(0, fromInput));
      } else {
        if (out[0].length < fromHeld + fromInput) out = [new Float32Array(fromHeld + fromInput), new Float32Array(fromHeld + fromInput)];
        ready = out.map((samples, c) => {
          samples.set(held[c].subarray(0, fromHeld));
          copySamples(samples, fromHeld, input[c].subarray(0, fromInput));
          return samples.subarray(0, fromHeld + fromInput);
        });
      }
      // Held: what has not gone out, from the old held frames and this push's.
      const keptHeld = Math.max(0, received - emitted);
      const keptInput = total - Math.max(emitted, received);
      held.forEach((samples, c) => {
        samples.copyWithin(0, fromHeld, fromHeld + keptHeld);
        copySamples(samples, keptHeld, input[c].subarray(length - keptInput));
      });
      received = total;
      heldFrom = emitted;
      return ready;
    },
    finish() {
      if (passThrough) return passThrough;
      if (received % guardBlock !== 0) close(guardLimit(midEnergy, sideEnergy, sideBefore), null);
      // The last block's ramp ends at its own limit.
      if (blocks >= 1) widen(blocks - 1, blocks === 1 ? limitOneBack : Math.min(limitTwoBack, limitOneBack), limitOneBack, null, received);
      return held.map((samples) => samples.subarray(0, received - heldFrom));
    },
    report: () => ({ guardedFraction: guardedFractionOf({ closed: blocks, guarded }) }),
    tally: () => ({ closed: blocks, guarded }),
  };
}

/** The share of guard blocks the guard held back. */
export function guardedFractionOf({ closed, guarded }: GuardTally): number {
  return closed ? guarded / closed : 0;
}

/**
 * A block's side gain: 1, or the gain that brings the widened side back under
 * the guard ratio — but never below what the block's side had before widening.
 */
function guardLimit(midEnergy: number, sideEnergy: number, sideEnergyBefore: number): number {
  if (!(sideEnergy > GUARD_SIDE_TO_MID * midEnergy) || sideEnergy <= sideEnergyBefore) return 1;
  const toGuard = Math.sqrt((GUARD_SIDE_TO_MID * midEnergy) / sideEnergy);
  const toBefore = Math.sqrt(sideEnergyBefore / sideEnergy);
  return Math.min(1, Math.max(toGuard, toBefore));
}
