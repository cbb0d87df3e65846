/**
 * A representative excerpt of a long track for the reference-match probe
 * render: the matching curve is refined by rendering, measuring and
 * correcting, and the tonal shift that dynamics processing causes is a
 * property of the material, well estimated from segments spread over the
 * whole track — at a fraction of a full render's cost.
 */

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
  const length = channels.length ? channels[0].length : 0;
  if (length <= PROBE_WHOLE_TRACK_SECONDS * sampleRateHz) return channels.map((samples) => samples.slice());
  const segment = Math.round(SEGMENT_SECONDS * sampleRateHz);
  const fade = Math.max(1, Math.round(FADE_SECONDS * sampleRateHz));
  const stride = (length - segment) / (SEGMENTS - 1);
  return channels.map((samples) => {
    const out = new Float32Array(segment * SEGMENTS);
    for (let s = 0; s < SEGMENTS; s++) {
      const start = Math.round(s * stride);
      out.set(samples.subarray(start, start + segment), s * segment);
      for (let i = 0; i < fade; i++) {
        const w = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
        out[s * segment + i] *= w;
        out[s * segment + segment - 1 - i] *= w;
      }
    }
    return out;
  });
}
