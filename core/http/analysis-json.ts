/**
 * The wire format of `POST /analyze`: one track's measurements as JSON, and
 * the JSON Schema that documents it in OpenAPI (the contract test validates
 * real responses against this same schema). −∞ and "too short to measure"
 * are `null`; NaN and Infinity never reach JSON.
 */
import type { AnalysisJobResult } from '../app/ports.ts';

/** Meters are accurate to about 0.1 dB; two decimals keep the JSON small without hiding anything real. */
function round(value: number | null, digits = 2): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The JSON body of a successful `POST /analyze`.
 *
 * @example
 * analysisJson(await runner.runAnalysis(job)).integrated_lufs // e.g. -14.08, or null for silence
 */
export function analysisJson(result: AnalysisJobResult): Record<string, unknown> {
  const m = result.measurements;
  const series = m.shortTermLoudness;
  return {
    source: { container: result.source.container, codec: result.source.codec, bit_depth: result.source.bitDepth },
    duration_seconds: round(m.durationSeconds, 3),
    sample_rate_hz: m.sampleRateHz,
    channels: m.channelCount,
    integrated_lufs: round(m.integratedLufs),
    loudness_range_lu: round(m.loudnessRangeLu),
    true_peak_dbtp: round(m.truePeakDbtp),
    sample_peak_dbfs: round(m.samplePeakDbfs),
    rms_dbfs: round(m.rmsDbfs),
    crest_factor_db: round(m.crestFactorDb),
    spectrum: {
      bands: 'third-octave',
      normalization: 'share-of-total-db',
      centres_hz: m.spectrum.centresHz.map((hz) => round(hz, 1)),
      levels_db: m.spectrum.levelsDb.map((db) => round(db)),
    },
    short_term_loudness: {
      window_seconds: series.windowSeconds,
      hop_seconds: series.hopSeconds,
      first_end_seconds: series.firstEndSeconds,
      lufs: Array.from(series.lufs, (lufs) => round(lufs)),
    },
  };
}

const nullableNumber = (description: string) => ({ type: ['number', 'null'], description });

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of {@link analysisJson}'s output. */
export const TRACK_ANALYSIS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: [
    'source', 'duration_seconds', 'sample_rate_hz', 'channels', 'integrated_lufs', 'loudness_range_lu', 'true_peak_dbtp',
    'sample_peak_dbfs', 'rms_dbfs', 'crest_factor_db', 'spectrum', 'short_term_loudness',
  ],
  description:
    'Measurements of one track (ITU-R BS.1770-4 / EBU R128 meters). `null` stands for −∞ (silence) or for audio too short for the measure (integrated loudness needs 400 ms, loudness range and short-term loudness 3 s).',
  properties: {
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['container', 'codec', 'bit_depth'],
      properties: {
        container: { enum: ['wav', 'flac', 'mp3'] },
        codec: { type: 'string', description: 'e.g. `pcm_s16le`, `pcm_f32le`, `flac`, `mp3`.' },
        bit_depth: { type: ['integer', 'null'], description: 'Bits per sample of the source; null for MP3.' },
      },
    },
    duration_seconds: { type: 'number', minimum: 0 },
    sample_rate_hz: { type: 'integer', minimum: 1 },
    channels: {
      type: 'integer',
      minimum: 1,
      maximum: 8,
      description:
        'Channels of the source, all measured: loudness weighs them per ITU-R BS.1770-4 by speaker position (WAVE_FORMAT_EXTENSIBLE mask, else the standard order for the count): surrounds +1.5 dB, LFE left out.',
    },
    integrated_lufs: nullableNumber('Gated integrated loudness, LUFS.'),
    loudness_range_lu: nullableNumber('Loudness range (EBU Tech 3342), LU.'),
    true_peak_dbtp: nullableNumber('True peak (4× or more oversampled), dBTP.'),
    sample_peak_dbfs: nullableNumber('Largest sample magnitude, dBFS.'),
    rms_dbfs: nullableNumber('RMS over all samples of all channels, dBFS (a full-scale sine reads −3.01).'),
    crest_factor_db: nullableNumber('Sample peak minus RMS, dB.'),
    spectrum: {
      type: 'object',
      additionalProperties: false,
      required: ['bands', 'normalization', 'centres_hz', 'levels_db'],
      description:
        'Long-term 1/3-octave spectrum of the mono mix (Welch: 300 ms Hann windows, 50 % overlap). Level-normalised: each band’s power as a share of the power in all bands present, in dB, so tracks at different loudness compare by tonal shape. A band reaching past the Nyquist frequency is null; for silence every band is null.',
      properties: {
        bands: { const: 'third-octave' },
        normalization: { const: 'share-of-total-db' },
        centres_hz: { type: 'array', items: { type: 'number' }, minItems: 30, maxItems: 30, description: '25 Hz to 20 kHz, base-2 series around 1 kHz.' },
        levels_db: { type: 'array', items: { type: ['number', 'null'], maximum: 0 }, minItems: 30, maxItems: 30 },
      },
    },
    short_term_loudness: {
      type: 'object',
      additionalProperties: false,
      required: ['window_seconds', 'hop_seconds', 'first_end_seconds', 'lufs'],
      description: 'Short-term loudness (3 s windows) every 100 ms; element i covers the 3 s ending at `first_end_seconds + i × hop_seconds`. Empty for audio under 3 s; null for a silent window.',
      properties: {
        window_seconds: { const: 3 },
        hop_seconds: { const: 0.1 },
        first_end_seconds: { const: 3 },
        lufs: { type: 'array', items: { type: ['number', 'null'] } },
      },
    },
  },
} as const;
