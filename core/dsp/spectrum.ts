/**
 * Short-time spectral analysis of the mono mix: 300 ms Hann windows with 50 %
 * overlap (SPEC section 4, short-time descriptors), zero-padded to a power of
 * two. One pass yields both the long-term average spectrum (Welch) used for
 * tonal balance and EQ matching, and per-window band energies (trajectories).
 * Consecutive windows travel in pairs through one complex FFT. The track may
 * come in blocks of any size ({@link createSpectrumTap}).
 */
import { cachedHannWindow, fftPlan, nextPowerOfTwo } from './fft.ts';
import { acquireSimdFft, releaseSimdFft } from './fft-simd.ts';
import { frameLength, type Frames, type StreamTap } from './stream-stage.ts';
import { copySamples } from '../audio/copy-samples.ts';

/** Band edges (Hz) of the per-window trajectories. */
export const TRAJECTORY_BANDS = {
  low: [0, 200],
  mid: [200, 4000],
  high: [4000, Infinity],
  sibilance: [5000, 10000],
} as const;
const { low: LOW_BAND, mid: MID_BAND, sibilance: SIBILANCE_BAND } = TRAJECTORY_BANDS;

export type TrajectoryBand = keyof typeof TRAJECTORY_BANDS;

export interface SpectrumAnalysis {
  readonly sampleRateHz: number;
  readonly fftSize: number;
  /** Hz per FFT bin. */
  readonly binHz: number;
  /** Mean power per bin 0..fftSize/2 of the mono mix (arbitrary but consistent scale). */
  readonly longTermPower: Float64Array;
  readonly windowSeconds: number;
  readonly hopSeconds: number;
  readonly frameCount: number;
  /** Per-window power in each trajectory band, and in total. */
  readonly bandTrajectories: Readonly<Record<TrajectoryBand | 'total', Float32Array>>;
}

export interface SpectrumOptions {
  readonly windowSeconds?: number;
  readonly overlap?: number;
  /**
   * What is analysed: `mid` (default) the mean of the channels, i.e. the mono
   * mix M = (L + R) / 2 of stereo; `side` the difference S = (L − R) / 2 of a
   * stereo pair (stereo width is the side's energy against the mid's).
   */
  readonly mix?: 'mid' | 'side';
}

/** How a track of `length` frames is cut into analysis windows. */
export interface SpectrumFraming {
  readonly windowLength: number;
  readonly hop: number;
  readonly fftSize: number;
  readonly frameCount: number;
}

/**
 * The windows {@link analyzeSpectrum} cuts a track of `length` frames into
 * (a track shorter than a window is one window of its own length).
 *
 * @example const { hop, frameCount } = spectrumFraming(audio.channels[0].length, 44100);
 */
export function spectrumFraming(length: number, sampleRateHz: number, options: SpectrumOptions = {}): SpectrumFraming {
  const windowSeconds = options.windowSeconds ?? 0.3;
  const overlap = options.overlap ?? 0.5;
  const windowLength = Math.max(2, Math.min(Math.round(windowSeconds * sampleRateHz), Math.max(length, 2)));
  const hop = Math.max(1, Math.round(windowLength * (1 - overlap)));
  const frameCount = length >= windowLength ? 1 + Math.floor((length - windowLength) / hop) : length > 0 ? 1 : 0;
  return { windowLength, hop, fftSize: nextPowerOfTwo(windowLength), frameCount };
}

/**
 * Analyses planar `channels` (averaged to mono) at `sampleRateHz`: the
 * spectrum tap fed the whole track as one block.
 *
 * @example const spectrum = analyzeSpectrum(audio.channels, audio.sampleRateHz);
 */
export function analyzeSpectrum(
  channels: readonly Float32Array[],
  sampleRateHz: number,
  options: SpectrumOptions = {},
): SpectrumAnalysis {
  const tap = createSpectrumTap(channels.length, sampleRateHz, channels.length ? channels[0].length : 0, options);
  tap.push(channels);
  return tap.result();
}

/**
 * {@link analyzeSpectrum} of a track of `length` frames fed in blocks of any
 * size: it holds one pair of windows (the samples a pair still needs from
 * the next block, at most hop + window per channel) and the analysis data,
 * and gives the same figures as the whole track in one block.
 *
 * @example const tap = createSpectrumTap(2, 44100, source.length); tap.push(source.read(0, 4096)); ...; tap.result();
 */
export function createSpectrumTap(
  channelCount: number,
  sampleRateHz: number,
  length: number,
  options: SpectrumOptions = {},
): StreamTap<SpectrumAnalysis> {
  const side = options.mix === 'side';
  if (side && channelCount !== 2) throw new RangeError('a side spectrum needs a stereo pair');
  const { windowLength, hop, fftSize, frameCount } = spectrumFraming(length, sampleRateHz, options);
  const half = fftSize >> 1;
  const binHz = sampleRateHz / fftSize;
  const { window, energy: windowEnergy } = cachedHannWindow(windowLength);
  const trajectories = {
    total: new Float32Array(frameCount),
    low: new Float32Array(frameCount),
    mid: new Float32Array(frameCount),
    high: new Float32Array(frameCount),
    sibilance: new Float32Array(frameCount),
  };

  // Power normalised by window energy so that levels do not depend on window length.
  const scale = 1 / (windowEnergy * fftSize);
  const edges = bandEdgeBins(binHz, half);
  const powers =
    simdFramePowers(channelCount, length, window, hop, fftSize, scale, edges, side) ??
    scalarFramePowers(channelCount, length, window, hop, fftSize, scale, edges, side);

  // A pair of windows spans [start, start + hop + window); the part of the
  // next pair that has arrived before its block ends waits in `carry`.
  const pairSpan = hop + windowLength;
  let carry: Float32Array[] | null = null;
  let carryStart = 0;
  let carryEnd = 0;
  let received = 0;
  let frame = 0;
  let analysis: SpectrumAnalysis | null = null;

  /** Makes `carry` hold [start, end) of the track, taking what it lacks from `block` (which starts at `blockStart`). */
  const carryFrom = (block: Frames, blockStart: number, start: number, end: number) => {
    carry ??= Array.from({ length: channelCount }, () => new Float32Array(pairSpan));
    const kept = Math.max(0, carryEnd - start);
    const from = Math.max(carryEnd, start);
    for (let c = 0; c < channelCount; c++) {
      if (kept > 0 && start > carryStart) carry[c].copyWithin(0, start - carryStart, carryEnd - carryStart);
      copySamples(carry[c], kept, block[c].subarray(from - blockStart, end - blockStart));
    }
    carryStart = start;
    carryEnd = end;
  };

  return {
    push(block) {
      if (analysis) throw new Error('the spectrum tap has given its result');
      if (block.length !== channelCount) throw new RangeError(`expected ${channelCount} channels, got ${block.length}`);
      const count = frameLength(block);
      const blockStart = received;
      const blockEnd = blockStart + count;
      if (blockEnd > length) throw new RangeError(`frames past the announced length ${length}`);
      received = blockEnd;
      for (; frame < frameCount; frame += 2) {
        const start = frame * hop;
        const second = frame + 1 < frameCount;
        const end = Math.min(length, start + (second ? pairSpan : windowLength));
        if (end > blockEnd) break;
        if (start >= blockStart) {
          powers.add(block, start - blockStart, start, second);
        } else {
          carryFrom(block, blockStart, start, end);
          powers.add(carry!, 0, start, second);
        }
        recordBands(powers.sumsA, frame, trajectories);
        if (second) recordBands(powers.sumsB, frame + 1, trajectories);
      }
      const next = frame * hop;
      if (frame < frameCount && next < blockEnd) carryFrom(block, blockStart, next, blockEnd);
    },
    result() {
      if (analysis) return analysis;
      if (received !== length) throw new RangeError(`the spectrum tap was given ${received} of ${length} frames`);
      const longTermPower = new Float64Array(half + 1);
      longTermPower.set(powers.longTermSum());
      powers.release();
      if (frameCount > 0) for (let k = 0; k <= half; k++) longTermPower[k] /= frameCount;
      analysis = {
        sampleRateHz,
        fftSize,
        binHz,
        longTermPower,
        windowSeconds: windowLength / sampleRateHz,
        hopSeconds: hop / sampleRateHz,
        frameCount,
        bandTrajectories: trajectories,
      };
      return analysis;
    },
  };
}

/**
 * The mono mix of one window at a time, for frames visited in increasing
 * order: overlapping frames share their mix, so each sample is mixed once
 * (zero past the end of the signal at `length`). `at` reads sample i of the
 * track from `frames[c][i - base]`.
 */
function slidingMonoMix(channelCount: number, length: number, windowLength: number, side: boolean): { at(start: number, frames: Frames, base: number): Float64Array } {
  const scale = channelCount ? 1 / channelCount : 0;
  // The side of a pair: the right channel enters with the opposite sign.
  const rightSign = side ? -1 : 1;
  const mono = new Float64Array(windowLength);
  let bufferStart = -windowLength;
  const mixInto = (channels: Frames, from: number, to: number) => {
    // mono[i] holds sample bufferStart + i, found at channels[c][i].
    const base = bufferStart;
    const out = mono;
    const end = Math.min(to, Math.max(from, length - base));
    if (channels.length === 2) {
      const left = channels[0];
      const right = channels[1];
      for (let i = from; i < end; i++) out[i] = (left[i] + rightSign * right[i]) * scale;
    } else {
      for (let i = from; i < end; i++) {
        let sum = 0;
        for (let c = 0; c < channels.length; c++) sum += channels[c][i];
        out[i] = sum * scale;
      }
    }
    out.fill(0, end, to);
  };
  return {
    at(start, frames, base) {
      const shift = start - bufferStart;
      if (shift > 0 && shift < windowLength) {
        mono.copyWithin(0, shift);
        bufferStart = start;
        mixInto(frames.map((samples) => samples.subarray(start - base)), windowLength - shift, windowLength);
      } else if (shift !== 0) {
        bufferStart = start;
        mixInto(frames.map((samples) => samples.subarray(start - base)), 0, windowLength);
      }
      return mono;
    },
  };
}

/** Writes `mono` × `window` into every other slot of `target` (offset 0 or 1). */
function windowInto(mono: Float64Array, window: Float64Array, target: Float64Array, offset: 0 | 1): void {
  for (let i = 0; i < window.length; i++) target[2 * i + offset] = mono[i] * window[i];
}

/**
 * The windowed mono mix's power, frame by frame in pairs: per band into
 * `sumsA` for the frame starting at `start` and into `sumsB` for the next one
 * (with `second`), each bin's power added to the long-term sum. The pair's
 * samples are read from `frames[c][offset + i]` for sample `start + i`, up to
 * the pair's end or the track's.
 */
interface FramePowers {
  add(frames: Frames, offset: number, start: number, second: boolean): void;
  readonly sumsA: Float64Array;
  readonly sumsB: Float64Array;
  /** Power per bin 0..fftSize/2 summed over the frames so far. */
  longTermSum(): Float64Array;
  /** Done: gives back what was borrowed. */
  release(): void;
}

/**
 * Frames in WebAssembly SIMD, for mono and stereo: each pair's samples are
 * copied into the transform's workspace, mixed, windowed, transformed and
 * split into band powers there. The transform is this tap's alone (the
 * long-term sums stay in its workspace between blocks). Null where SIMD
 * cannot run or for more channels.
 */
function simdFramePowers(
  channelCount: number,
  length: number,
  window: Float64Array,
  hop: number,
  fftSize: number,
  scale: number,
  edges: Int32Array,
  side: boolean,
): FramePowers | null {
  const fft = channelCount >= 1 && channelCount <= 2 && window.length >= 4 ? acquireSimdFft(fftSize) : null;
  if (!fft) return null;
  const roundUp4 = (n: number) => (n + 3) & ~3;
  const windowFloats = roundUp4(window.length);
  // A pair spans hop + window samples; the vector loops may read four past it.
  const span = roundUp4(hop + windowFloats) + 4;
  const bins = (fftSize >> 1) + 1;
  const at = { window: 0, mono: windowFloats, left: windowFloats + span, right: windowFloats + 2 * span, edges: windowFloats + 3 * span };
  const longTermAt = at.edges + roundUp4(edges.length);
  const sumsAt = longTermAt + roundUp4(2 * bins);
  const workspace = fft.workspace(sumsAt + 4 * BAND_COUNT);
  workspace.set(window, at.window);
  workspace.fill(0, at.window + window.length, at.mono);
  const view = <T>(Type: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T, offset: number, count: number) =>
    new Type(workspace.buffer, workspace.byteOffset + 4 * offset, count);
  view(Int32Array, at.edges, edges.length).set(edges);
  const longTerm = view(Float64Array, longTermAt, bins);
  longTerm.fill(0);
  const sums = view(Float64Array, sumsAt, 2 * BAND_COUNT);
  const sumsA = new Float64Array(BAND_COUNT);
  const sumsB = new Float64Array(BAND_COUNT);
  const stereo = channelCount === 2;
  const transformPair = (frames: Frames, offset: number, start: number, second: boolean) => {
    const available = Math.max(0, Math.min(length - start, second ? hop + window.length : window.length));
    if (stereo) {
      copySamples(workspace, at.left, frames[0].subarray(offset, offset + available));
      workspace.fill(0, at.left + available, at.left + span);
      copySamples(workspace, at.right, frames[1].subarray(offset, offset + available));
      workspace.fill(0, at.right + available, at.right + span);
      // The side: (left − right) / 2, exactly the sum with the right negated.
      if (side) fft.mixDifference(at.left, at.right, at.mono, span, 0.5);
      else fft.mix(at.left, at.right, at.mono, span, 0.5);
    } else {
      copySamples(workspace, at.mono, frames[0].subarray(offset, offset + available));
      workspace.fill(0, at.mono + available, at.mono + span);
    }
    fft.windowPair(at.mono, at.window, windowFloats, hop, second);
    fft.forward();
  };
  return {
    sumsA,
    sumsB,
    add(frames, offset, start, second) {
      transformPair(frames, offset, start, second);
      fft.pairBandPowers(scale, at.edges, BAND_COUNT, longTermAt, sumsAt, second);
      for (let band = 0; band < BAND_COUNT; band++) {
        sumsA[band] = sums[2 * band];
        sumsB[band] = second ? sums[2 * band + 1] : 0;
      }
    },
    longTermSum: () => longTerm.slice(),
    release: () => releaseSimdFft(fft),
  };
}

/** Frames in JavaScript through fft.js: any channel count, any runtime. */
function scalarFramePowers(
  channelCount: number,
  length: number,
  window: Float64Array,
  hop: number,
  fftSize: number,
  scale: number,
  edges: Int32Array,
  side: boolean,
): FramePowers {
  const plan = fftPlan(fftSize);
  const input = new Float64Array(2 * fftSize);
  const spectrum = new Float64Array(2 * fftSize);
  const mix = slidingMonoMix(channelCount, length, window.length, side);
  const longTerm = new Float64Array((fftSize >> 1) + 1);
  const sumsA = new Float64Array(BAND_COUNT);
  const sumsB = new Float64Array(BAND_COUNT);
  return {
    sumsA,
    sumsB,
    add(frames, offset, start, second) {
      const base = start - offset;
      if (!second) input.fill(0);
      windowInto(mix.at(start, frames, base), window, input, 0);
      if (second) windowInto(mix.at(start + hop, frames, base), window, input, 1);
      plan.transform(spectrum, input);
      splitIntoBands(spectrum, fftSize, scale, edges, longTerm, sumsA, second ? sumsB : null);
      if (!second) sumsB.fill(0);
    },
    longTermSum: () => longTerm,
    release() {},
  };
}

/** Bins are summed into these disjoint ranges; trajectories are sums of them. */
const BAND_COUNT = 5; // [1,200) [200,4k) [4k,5k) [5k,10k) [10k, Nyquist]

function bandEdgeBins(binHz: number, half: number): Int32Array {
  const edge = (hz: number) => Math.max(1, Math.min(half + 1, Math.ceil(hz / binHz)));
  return Int32Array.of(1, edge(LOW_BAND[1]), edge(MID_BAND[1]), edge(SIBILANCE_BAND[0]), edge(SIBILANCE_BAND[1]), half + 1);
}

/**
 * Splits the complex spectrum of (frame A + i·frame B) into the two frames'
 * powers, adds both to the long-term spectrum, and sums each frame's power
 * over the disjoint band ranges — one pass over the bins.
 */
function splitIntoBands(
  z: Float32Array | Float64Array,
  size: number,
  scale: number,
  edges: Int32Array,
  longTermPower: Float64Array,
  sumsA: Float64Array,
  sumsB: Float64Array | null,
): void {
  sumsA.fill(0);
  sumsB?.fill(0);
  // DC: counted in the long-term spectrum only.
  longTermPower[0] += scale * (z[0] * z[0] + z[1] * z[1]);
  for (let band = 0; band < BAND_COUNT; band++) {
    let a = 0;
    let b = 0;
    for (let k = edges[band]; k < edges[band + 1]; k++) {
      const nk = size - k;
      const zr = z[2 * k];
      const zi = z[2 * k + 1];
      const wr = z[2 * nk];
      const wi = z[2 * nk + 1];
      // A = (Z[k] + conj(Z[N-k])) / 2 ; B = (Z[k] - conj(Z[N-k])) / 2i
      const ar = zr + wr;
      const ai = zi - wi;
      const br = zi + wi;
      const bi = zr - wr;
      const powerA = 0.25 * scale * (ar * ar + ai * ai);
      const powerB = 0.25 * scale * (br * br + bi * bi);
      a += powerA;
      b += powerB;
      longTermPower[k] += sumsB ? powerA + powerB : powerA;
    }
    sumsA[band] = a;
    if (sumsB) sumsB[band] = b;
  }
}

function recordBands(sums: Float64Array, frame: number, trajectories: Record<TrajectoryBand | 'total', Float32Array>): void {
  trajectories.low[frame] = sums[0];
  trajectories.mid[frame] = sums[1];
  trajectories.high[frame] = sums[2] + sums[3] + sums[4];
  trajectories.sibilance[frame] = sums[3];
  trajectories.total[frame] = sums[0] + sums[1] + sums[2] + sums[3] + sums[4];
}

/** Sum of `power` over bins whose centre lies in [loHz, hiHz). */
export function bandPower(power: Float64Array, binHz: number, loHz: number, hiHz: number): number {
  const first = Math.max(1, Math.ceil(loHz / binHz));
  const last = Math.min(power.length - 1, Math.ceil(hiHz / binHz) - 1);
  let sum = 0;
  for (let k = first; k <= last; k++) sum += power[k];
  return sum;
}

/** Power-weighted mean frequency (Hz) of a spectrum, DC excluded; 0 for silence. */
export function spectralCentroidHz(power: Float64Array, binHz: number): number {
  let weighted = 0;
  let total = 0;
  for (let k = 1; k < power.length; k++) {
    weighted += k * binHz * power[k];
    total += power[k];
  }
  return total > 0 ? weighted / total : 0;
}

/** Frequency (Hz) below which `fraction` of the power lies, DC excluded; 0 for silence. */
export function spectralRolloffHz(power: Float64Array, binHz: number, fraction = 0.85): number {
  let total = 0;
  for (let k = 1; k < power.length; k++) total += power[k];
  if (total <= 0) return 0;
  let running = 0;
  for (let k = 1; k < power.length; k++) {
    running += power[k];
    if (running >= fraction * total) return k * binHz;
  }
  return (power.length - 1) * binHz;
}
