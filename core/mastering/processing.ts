/**
 * The chain's stages built from a decision (SPEC section 4 chain, matching
 * issue item 12): each is a processor made by a factory in `core/dsp` from the
 * settings decided here; `render.ts` runs them in order.
 *
 * high-pass + shelves + preset bells → matching FIR → width (M/S) →
 * compressor → de-esser → gain rider → loudness gain + true-peak limiter → guard.
 *
 * The de-esser runs before the (scalar) loudness gain rather than after it:
 * its detector compares the sibilance band with the full band, a ratio no
 * gain changes, so the result is the same and the gain search can treat the
 * whole pre-limiter signal as fixed.
 */
import { createCompressor, type CompressorStage } from '../dsp/compressor.ts';
import { createDeEsser } from '../dsp/deesser.ts';
import { createEqualizer, type Equalizer } from '../dsp/equalizer.ts';
import { createFirEqualizer, type FirEqualizer } from '../dsp/fir-equalizer.ts';
import { createLimiter, type Limiter } from '../dsp/limiter.ts';
import { createStereoWidener, type StereoWidener } from '../dsp/stereo-widener.ts';
import type { MasteringDecision } from './decision.ts';
import { correctionCurve, type MatchBand } from './eq-match.ts';
import { CHAIN_FREQUENCIES } from './profiles.ts';
import { sideGainCurve, type SideGainPlan } from './width-match.ts';

/** Programme loudness the compressor thresholds are calibrated for (an unmastered mix). */
export const COMPRESSOR_REFERENCE_LUFS = -20;
const COMPRESSOR_KNEE_DB = 6;
/** How far from the programme's integrated loudness the compressor's threshold follows a passage (LU). */
const PROGRAMME_SPAN_LU = 10;

/** Preset band-bias bells: broad, centred in the low / mid / high regions. */
const BAND_BIAS_BELLS = { low: { hz: 90, q: 0.6 }, mid: { hz: 1200, q: 0.5 }, high: { hz: 8000, q: 0.6 } } as const;

/** Matching-FIR length: about 93 ms, enough resolution for 1/6-octave detail down to ~70 Hz and 1/3 octave to ~40 Hz. */
export const MATCH_FIR_SECONDS = 0.093;

/** Crest-factor excess (target over reference) at which the decided compression applies in full. */
export const FULL_COMPRESSION_CREST_DELTA_DB = 6;

/**
 * How much of the decided compression to apply (0–1): in proportion to how
 * much more dynamic (higher crest factor) the target is than the reference,
 * in full from {@link FULL_COMPRESSION_CREST_DELTA_DB} up, and none when the
 * target is already as dense as the reference — an over-compressed or
 * identical target is not squashed further.
 */
export function compressorAmount(crestDeltaDb: number): number {
  return Math.min(1, Math.max(0, crestDeltaDb / FULL_COMPRESSION_CREST_DELTA_DB));
}

/** The fixed EQ: high-pass, shelves and the non-zero preset band biases. */
export function staticEqualizer(decision: MasteringDecision, sampleRateHz: number): Equalizer {
  return createEqualizer({
    sampleRateHz,
    highPassHz: decision.highPassHz,
    lowShelf: { cornerHz: CHAIN_FREQUENCIES.lowShelfHz, gainDb: decision.lowShelfDb },
    highShelf: { cornerHz: CHAIN_FREQUENCIES.highShelfHz, gainDb: decision.highShelfDb },
    bells: (['low', 'mid', 'high'] as const).map((band) => ({
      centreHz: BAND_BIAS_BELLS[band].hz,
      gainDb: decision.bandBiasDb[band],
      q: BAND_BIAS_BELLS[band].q,
    })),
  });
}

/** Whether a matching curve moves any band (a flat one has no equaliser: {@link matchEqualizer} is null). */
export function changesTone(curve: readonly MatchBand[]): boolean {
  return curve.some((band) => band.correctionDb !== 0);
}

/** The reference-match FIR for `curve`, or null when the curve is flat. */
export function matchEqualizer(curve: readonly MatchBand[], sampleRateHz: number): FirEqualizer | null {
  if (!changesTone(curve)) return null;
  return createFirEqualizer({ sampleRateHz, gainDbAt: correctionCurve(curve), lengthSeconds: MATCH_FIR_SECONDS });
}

/** The width stage for a plan, or null when the plan changes nothing. */
export function stereoWidener(plan: SideGainPlan | null, sampleRateHz: number): StereoWidener | null {
  if (!plan?.active) return null;
  return createStereoWidener({ sampleRateHz, sideGainDbAt: sideGainCurve(plan.bands), firSeconds: MATCH_FIR_SECONDS });
}

/**
 * The compressor: density (crest factor) only. Its threshold follows each
 * passage's loudness (see {@link COMPRESSOR_REFERENCE_LUFS}), so it shapes
 * peaks against their own passage and leaves the loudness range to the rider.
 */
export function compressorStage(decision: MasteringDecision, sampleRateHz: number, targetIntegratedLufs: number | null): CompressorStage {
  return createCompressor({
    sampleRateHz,
    thresholdDb: decision.compressor.thresholdDb,
    ratio: decision.compressor.ratio,
    attackMs: decision.compressor.attackMs,
    releaseMs: decision.compressor.releaseMs,
    kneeDb: COMPRESSOR_KNEE_DB,
    detectorOffsetDb: targetIntegratedLufs === null ? 0 : COMPRESSOR_REFERENCE_LUFS - targetIntegratedLufs,
    amount: decision.compressor.amount,
    ...(targetIntegratedLufs === null ? {} : { followProgramme: { referenceLufs: COMPRESSOR_REFERENCE_LUFS, integratedLufs: targetIntegratedLufs, spanLu: PROGRAMME_SPAN_LU } }),
  });
}

/** The de-esser in `auto` mode, else null. */
export function deEsserStage(decision: MasteringDecision, sampleRateHz: number) {
  return decision.deEsser.mode === 'auto'
    ? createDeEsser(sampleRateHz, { thresholdShare: decision.deEsser.thresholdShare, depthDb: decision.deEsser.depthDb })
    : null;
}

/** The true-peak limiter with the decided ceiling and timing. */
export function limiterStage(decision: MasteringDecision, sampleRateHz: number): Limiter {
  return createLimiter({ sampleRateHz, ...decision.limiter });
}
