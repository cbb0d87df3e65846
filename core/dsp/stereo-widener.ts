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
  /** Changes the width of a stereo pair in place. */
  process(channels: readonly Float32Array[]): StereoWidenerReport;
  /**
   * The widener as a stream stage. It holds back up to two guard blocks (a
   * block's gain ramps towards the next block's limit, so it waits for that
   * block to end); finish() returns the rest. Channels other than a pair pass
   * through.
   */
  stream(): StreamStage<StereoWidenerReport>;
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
  const kernel = prepareFirKernel(designMinimumPhaseFir(settings.sideGainDbAt, sampleRateHz, Math.round(settings.firSeconds * sampleRateHz)));
  const guardBlock = Math.max(1, Math.round(GUARD_BLOCK_SECONDS * sampleRateHz));
  const stream = () => createWidenerStream(kernel, guardBlock);
  return {
    process: (channels) => processWhole(stream(), channels),
    stream,
  };
}

/**
 * Each push: mid into the left, side into the right (the side's energy before
 * filtering summed per guard block), the side through the FIR, then per guard
 * block the energies after, and each block whose next block has ended is
 * widened back to left/right with its gain ramp and goes out. Frames not yet
 * out (under two guard blocks) wait in `held`, already mid/side and filtered.
 */
function createWidenerStream(kernel: FirKernel, guardBlock: number): StreamStage<StereoWidenerReport> {
  const sideFilter = createFirConvolution(kernel);
  const held = [new Float32Array(2 * guardBlock), new Float32Array(2 * guardBlock)];
  let out = [new Float32Array(0), new Float32Array(0)];
  /** Frames received and frames out; `held` starts at frame `heldFrom` (where the last push left it) and ends at `received`. */
  let received = 0;
  let emitted = 0;
  let heldFrom = 0;
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
  let blocks = 0;
  let guarded = 0;
  let passThrough: Frames | null = null;

  /** Widens block `block`, up to frame `end`, with its ramp g0 → g1: the held frames below `received`, then `input`'s. */
  const widen = (block: number, g0: number, g1: number, input: Frames | null, end: number) => {
    const start = block * guardBlock;
    const dg = (g1 - g0) / guardBlock;
    const heldEnd = Math.min(end, received);
    if (start < heldEnd) toLeftRight(held[0], held[1], start - heldFrom, heldEnd - heldFrom, g0, dg, 0);
    if (input && end > received) {
      const from = Math.max(start, received);
      toLeftRight(input[0], input[1], from - received, end - received, g0, dg, from - start);
    }
    emitted = end;
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
          samples.set(input[c].subarray(0, fromInput), fromHeld);
          return samples.subarray(0, fromHeld + fromInput);
        });
      }
      // Held: what has not gone out, from the old held frames and this push's.
      const keptHeld = Math.max(0, received - emitted);
      const keptInput = total - Math.max(emitted, received);
      held.forEach((samples, c) => {
        samples.copyWithin(0, fromHeld, fromHeld + keptHeld);
        samples.set(input[c].subarray(length - keptInput), keptHeld);
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
    report: () => ({ guardedFraction: blocks ? guarded / blocks : 0 }),
  };
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
