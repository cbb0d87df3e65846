/**
 * A linear-in-log-frequency gain curve realised as one minimum-phase FIR
 * (no pre-ringing, almost no latency, like analog-style bells), applied to
 * every channel by FFT blocks.
 */
import { convolveChannelsInPlace, createFirConvolution, prepareFirKernel, type FirKernel } from './fir-convolution.ts';
import { designMinimumPhaseFir } from './minimum-phase.ts';
import type { StreamStage } from './stream-stage.ts';

export interface FirEqualizerSettings {
  readonly sampleRateHz: number;
  /** Gain (dB) at a frequency. */
  readonly gainDbAt: (frequencyHz: number) => number;
  /** Kernel length in seconds: its frequency resolution is about 1 / length. */
  readonly lengthSeconds: number;
}

export interface FirEqualizer {
  readonly taps: number;
  /** Filters planar channels in place (causal; lengths kept). */
  process(channels: readonly Float32Array[]): void;
  /** The filter as a stream stage: in place, no latency, the convolution carried from block to block. */
  stream(): StreamStage;
}

/**
 * @example createFirEqualizer({ sampleRateHz: 44100, gainDbAt: (hz) => (hz > 4000 ? 3 : 0), lengthSeconds: 0.093 }).process(channels);
 * @example const stage = firEqualizer.stream(); for (const block of blocks) write(stage.push(block));
 */
export function createFirEqualizer(settings: FirEqualizerSettings): FirEqualizer {
  const kernel: FirKernel = prepareFirKernel(
    designMinimumPhaseFir(settings.gainDbAt, settings.sampleRateHz, Math.round(settings.lengthSeconds * settings.sampleRateHz)),
  );
  return {
    taps: kernel.taps.length,
    process(channels) {
      convolveChannelsInPlace(channels, kernel);
    },
    stream: () => createFirConvolution(kernel),
  };
}
