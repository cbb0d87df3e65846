/**
 * A representative excerpt of a long track for the reference-match probe
 * render: the matching curve is refined by rendering, measuring and
 * correcting, and the tonal shift that dynamics processing causes is a
 * property of the material, well estimated from segments spread over the
 * whole track — at a fraction of a full render's cost.
 */
import { memorySource, type PcmSource } from '../audio/pcm-source.ts';
import { copySamples } from '../audio/copy-samples.ts';

/** Tracks up to this long are probed whole. */
export const PROBE_WHOLE_TRACK_SECONDS = 40;
// Many short segments rather than a few long ones: a song's sections are
// sampled more evenly, and a periodic arrangement (a loop) is not caught at
// the same few phases (ten 3 s segments of a 30 s loop missed a third of it).
const SEGMENT_SECONDS = 2;
const SEGMENTS = 15;
const FADE_SECONDS = 0.005;

/**
 * Copies either the whole track or fifteen 2 s segments spread evenly across it,
 * joined with 5 ms fades so the joins do not click (a click would make the
 * limiter duck and colour the measurement).
 *
 * @example const probe = probeExcerpt(channels, 44100); // ≤ 40 s: a copy; longer: 30 s of excerpts
 */
export function probeExcerpt(channels: readonly Float32Array[], sampleRateHz: number): Float32Array[] {
  return probeExcerptFrom(memorySource({ sampleRateHz, channels: [...channels] }));
}

/**
 * {@link probeExcerpt} read from a source (only the segments are read), into
 * `into` when given (arrays of the excerpt's length, one per channel: a probe
 * cuts the same excerpt again into the arrays its last render wrote over,
 * rather than taking fresh memory for a copy).
 */
export function probeExcerptFrom(source: PcmSource, into?: readonly Float32Array[]): Float32Array[] {
  const { length, sampleRateHz } = source;
  const layout = probeLayout(length, sampleRateHz);
  const excerptLength = layout ? layout.segment * SEGMENTS : length;
  if (into && (into.length !== source.channelCount || into.some((samples) => samples.length !== excerptLength))) {
    throw new RangeError(`a probe excerpt of this source takes ${source.channelCount} arrays of ${excerptLength} frames`);
  }
  if (!layout) {
    const whole = source.read(0, length);
    return into ? whole.map((samples, c) => (copySamples(into[c], 0, samples), into[c])) : whole.map((samples) => samples.slice());
  }
  const { segment, starts } = layout;
  const fade = Math.max(1, Math.round(FADE_SECONDS * sampleRateHz));
  const out = into ? [...into] : Array.from({ length: source.channelCount }, () => new Float32Array(excerptLength));
  for (let s = 0; s < SEGMENTS; s++) {
    const frames = source.read(starts[s], segment);
    out.forEach((excerpt, c) => {
      copySamples(excerpt, s * segment, frames[c]);
      for (let i = 0; i < fade; i++) {
        const w = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
        excerpt[s * segment + i] *= w;
        excerpt[s * segment + segment - 1 - i] *= w;
      }
    });
  }
  return out;
}

/** Frames in the probe excerpt of a track of `length` frames. */
export function probeExcerptLength(length: number, sampleRateHz: number): number {
  const layout = probeLayout(length, sampleRateHz);
  return layout ? layout.segment * SEGMENTS : length;
}

/** Where the probe's segments come from: null when the whole track is the probe. */
export function probeLayout(length: number, sampleRateHz: number): { readonly segment: number; readonly starts: readonly number[] } | null {
  if (length <= PROBE_WHOLE_TRACK_SECONDS * sampleRateHz) return null;
  const segment = Math.round(SEGMENT_SECONDS * sampleRateHz);
  const stride = (length - segment) / (SEGMENTS - 1);
  return { segment, starts: Array.from({ length: SEGMENTS }, (_, s) => Math.round(s * stride)) };
}

/**
 * A per-block control curve of the whole track (one value per `block`
 * samples, and one more) cut the way {@link probeExcerpt} cuts the samples,
 * so a probe render can apply what the full render will.
 *
 * @example const probeGains = probeControlCurve(riderGains, 16, length, 44100);
 */
export function probeControlCurve(curve: Float32Array, block: number, length: number, sampleRateHz: number): Float32Array {
  const layout = probeLayout(length, sampleRateHz);
  if (!layout) return curve;
  const probeLength = layout.segment * SEGMENTS;
  const out = new Float32Array(Math.ceil(probeLength / block) + 1);
  for (let b = 0; b < out.length; b++) {
    const position = Math.min(probeLength - 1, b * block);
    const s = Math.floor(position / layout.segment);
    const source = layout.starts[s] + (position - s * layout.segment);
    out[b] = curve[Math.min(curve.length - 1, Math.floor(source / block))];
  }
  return out;
}
