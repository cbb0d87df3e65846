/**
 * WebAssembly SIMD versions of the 4× true-peak kernels (the meter's and the
 * limiter's), four output positions per instruction. True-peak interpolation
 * is the costliest loop of mastering — the limiter's envelope and the final
 * compliance check run it over every loud sample — and JavaScript has no
 * vector arithmetic. Sums run in single precision, which moves a measured peak
 * by about 1e-7 of its value (1e-6 dB).
 *
 * Stretches shorter than one vector go through a scalar twin that rounds
 * exactly as the vector code does, so a result never depends on how a stream
 * was cut into blocks. Where WebAssembly SIMD is missing, or for designs other
 * than 4×, the factories return null and callers keep their scalar kernels.
 */
import type { TruePeakFilter } from './truepeak-filter.ts';
import { splitBranches } from './truepeak-branches.ts';
import type { InterpolatedPeakKernel } from './truepeak-kernel.ts';
import type { InterpolatedEnvelopeKernel } from './truepeak-envelope.ts';
import { WASM_BASE64 } from './wasm/quad-interpolation.wasm.ts';
import { compileSimdModule, instantiateWithMemory } from '../wasm/simd-module.ts';

interface QuadInterpolationExports {
  readonly memory: WebAssembly.Memory;
  peak(samplesPtr: number, start: number, end: number, half: number, peak: number, withSamples: number): number;
  scan(samplesPtr: number, start: number, end: number, half: number, peak: number, maxGain: number): number;
  envelope(samplesPtr: number, envelopePtr: number, count: number, half: number, offset: number): void;
}

/** Layout of the module's memory (see quad-interpolation.wat). */
const COEFFICIENT_BYTES = 2048;
const MAX_HALF_TAPS = 32;
/** Output positions per call; the piece and its history are copied in, results out. */
const PIECE = 16384;
/** The vector loop needs four positions; shorter stretches go to the scalar twin. */
const VECTOR = 4;

/** Whether this runtime runs the SIMD kernels (tests assert it where it must). */
export function simdTruePeakAvailable(): boolean {
  return compileSimdModule(WASM_BASE64) !== null;
}

interface QuadInstance {
  readonly exports: QuadInterpolationExports;
  readonly heap: Float32Array;
  readonly half: number;
  readonly history: number;
  /** Float index of the samples region and of the envelope region. */
  readonly samplesAt: number;
  readonly envelopeAt: number;
  /** One position in single precision, rounding as the vector code does. */
  readonly interpolateAt: (x: Float32Array, j: number) => number;
}

function instantiate(filter: TruePeakFilter): QuadInstance | null {
  const { pairs, middle } = splitBranches(filter);
  const half = filter.tapsPerPhase / 2;
  // The scan reads at least four history samples (taps ≥ 6).
  if (filter.oversampling !== 4 || pairs.length !== 1 || !middle || half > MAX_HALF_TAPS || half < 3) return null;
  const module = compileSimdModule(WASM_BASE64);
  if (!module) return null;
  const history = filter.tapsPerPhase - 1;
  const samplesAt = COEFFICIENT_BYTES / 4;
  const envelopeAt = samplesAt + PIECE + history + VECTOR;
  const exports = instantiateWithMemory<QuadInterpolationExports>(module, (envelopeAt + PIECE) * 4, { peak: true, scan: true, envelope: true });
  const heap = new Float32Array(exports.memory.buffer);
  // Each coefficient splatted across four lanes: E at float 0, O at 128, M at 256.
  const eo = pairs[0];
  const coefficients = new Float32Array(3 * half);
  for (let k = 0; k < half; k++) {
    coefficients[k] = eo[k];
    coefficients[half + k] = eo[half + k];
    coefficients[2 * half + k] = middle[k];
    heap.fill(eo[k], 4 * k, 4 * k + 4);
    heap.fill(eo[half + k], 128 + 4 * k, 128 + 4 * k + 4);
    heap.fill(middle[k], 256 + 4 * k, 256 + 4 * k + 4);
  }
  return { exports, heap, half, history, samplesAt, envelopeAt, interpolateAt: singlePrecisionTwin(half, coefficients) };
}

function singlePrecisionTwin(half: number, c: Float32Array): (x: Float32Array, j: number) => number {
  const f = Math.fround;
  return (x, j) => {
    const oldest = j - 2 * half + 1;
    let e = 0;
    let o = 0;
    let m = 0;
    for (let k = 0; k < half; k++) {
      const a = x[oldest + k];
      const b = x[j - k];
      const s = f(a + b);
      e = f(e + f(c[k] * s));
      o = f(o + f(c[half + k] * f(a - b)));
      m = f(m + f(c[2 * half + k] * s));
    }
    const pair = f(Math.abs(e) + Math.abs(o));
    const mid = Math.abs(m);
    return pair > mid ? pair : mid;
  };
}

function peakKernel(filter: TruePeakFilter, withSamples: boolean): InterpolatedPeakKernel | null {
  const quad = instantiate(filter);
  if (!quad) return null;
  const { exports, heap, half, history, samplesAt, interpolateAt } = quad;
  // The skip test runs in single precision: a hair of headroom keeps it conservative.
  const skipGain = filter.maxGain * (1 + 1e-5);
  return (buffer, start, end, peak) => {
    for (let from = start; from < end; from += PIECE) {
      const to = Math.min(end, from + PIECE);
      if (to - from < VECTOR) {
        for (let j = from; j < to; j++) {
          const y = interpolateAt(buffer, j);
          if (y > peak) peak = y;
          const sample = withSamples ? Math.abs(buffer[j]) : 0;
          if (sample > peak) peak = sample;
        }
        continue;
      }
      heap.set(buffer.subarray(from - history, to), samplesAt);
      const found = withSamples
        ? exports.scan(samplesAt * 4, history, history + to - from, half, peak, skipGain)
        : exports.peak(samplesAt * 4, history, history + to - from, half, peak, 0);
      if (found > peak) peak = found;
    }
    return peak;
  };
}

/** The meter's interpolation kernel in SIMD, or null where it cannot run. */
export function createSimdPeakKernel(filter: TruePeakFilter): InterpolatedPeakKernel | null {
  return peakKernel(filter, false);
}

/**
 * The meter's whole scan in SIMD: the largest sample and interpolated
 * magnitude over the positions, interpolating only the 64-sample chunks whose
 * neighbourhood could beat the peak found so far (quiet passages cost a
 * vector max per four samples).
 */
export function createSimdPeakScanner(filter: TruePeakFilter): InterpolatedPeakKernel | null {
  return peakKernel(filter, true);
}

/** The limiter's envelope kernel in SIMD, or null where it cannot run. */
export function createSimdEnvelopeKernel(filter: TruePeakFilter): InterpolatedEnvelopeKernel | null {
  const quad = instantiate(filter);
  if (!quad) return null;
  const { exports, heap, half, history, samplesAt, envelopeAt, interpolateAt } = quad;
  const latency = filter.latencySamples;
  const envelopeView = heap.subarray(envelopeAt, envelopeAt + PIECE);
  return (samples, from, to, envelope) => {
    for (let a = from; a < to; a += PIECE) {
      const b = Math.min(to, a + PIECE);
      const count = b - a;
      if (count < VECTOR) {
        for (let m = a; m < b; m++) {
          const y = interpolateAt(samples, m + latency);
          if (y > envelope[m]) envelope[m] = y;
        }
        continue;
      }
      // Interval m reads samples[m + latency − history .. m + latency]: local index i = m − a reads [i .. i + history].
      heap.set(samples.subarray(a + latency - history, b + latency), samplesAt);
      heap.set(envelope.subarray(a, b), envelopeAt);
      exports.envelope(samplesAt * 4, envelopeAt * 4, count, half, history);
      envelope.set(envelopeView.subarray(0, count), a);
    }
  };
}
