/**
 * Test material for reference matching, made from the fixtures in process:
 * a pair with its stereo width changed (side scaled), and a track whose
 * sections play at different levels (macro-dynamics a loudness range sees).
 */
import { readFileSync } from 'node:fs';
import { decodeAudio } from '../../core/audio/decode.ts';
import type { PcmAudio } from '../../core/audio/pcm.ts';
import { fixturePath } from './fixtures.ts';

/** A fixture file decoded as audo-eq decodes uploads. */
export async function loadFixture(relative: string): Promise<PcmAudio> {
  return decodeAudio(new Uint8Array(readFileSync(fixturePath(relative))), { filename: relative });
}

/**
 * The pair with its side channel S = (L − R) / 2 scaled by `sideGain` (mid kept).
 *
 * @example const narrow = withSideGain(wide, 0.25); // side/mid 12 dB lower
 */
export function withSideGain(audio: PcmAudio, sideGain: number): PcmAudio {
  const [left, right] = audio.channels;
  const outLeft = new Float32Array(left.length);
  const outRight = new Float32Array(left.length);
  for (let i = 0; i < left.length; i++) {
    const mid = 0.5 * (left[i] + right[i]);
    const side = 0.5 * (left[i] - right[i]) * sideGain;
    outLeft[i] = mid + side;
    outRight[i] = mid - side;
  }
  return { sampleRateHz: audio.sampleRateHz, channels: [outLeft, outRight] };
}

/**
 * `audio` looped into sections of `sectionSeconds`, each at its level in
 * `gainsDb` (100 ms ramps between), e.g. a quiet verse and a loud chorus.
 *
 * @example const dynamic = sectioned(mix, [-10, 0, -8, 0], 8); // 32 s, loudness range ≈ 10 LU
 */
export function sectioned(audio: PcmAudio, gainsDb: readonly number[], sectionSeconds: number): PcmAudio {
  const section = Math.round(sectionSeconds * audio.sampleRateHz);
  const ramp = Math.round(0.1 * audio.sampleRateHz);
  const sourceLength = audio.channels[0].length;
  const gains = gainsDb.map((db) => Math.pow(10, db / 20));
  const channels = audio.channels.map((samples) => {
    const out = new Float32Array(section * gains.length);
    for (let s = 0; s < gains.length; s++) {
      const previous = s > 0 ? gains[s - 1] : gains[s];
      for (let i = 0; i < section; i++) {
        const gain = i < ramp ? previous + ((gains[s] - previous) * i) / ramp : gains[s];
        out[s * section + i] = samples[(s * section + i) % sourceLength] * gain;
      }
    }
    return out;
  });
  return { sampleRateHz: audio.sampleRateHz, channels };
}

/** `audio` played `gainDb` louder and clipped at full scale, as an overdriven export would be. */
export function clippedCopy(audio: PcmAudio, gainDb: number): PcmAudio {
  const gain = Math.pow(10, gainDb / 20);
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((samples) => samples.map((x) => Math.max(-1, Math.min(1, x * gain)))) };
}

/** `audio` scaled so its largest sample sits exactly at `peak` (one sample touching full scale is no clipping). */
export function peakNormalised(audio: PcmAudio, peak: number): PcmAudio {
  let max = 0;
  for (const samples of audio.channels) for (const x of samples) max = Math.max(max, Math.abs(x));
  const gain = max > 0 ? peak / max : 1;
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((samples) => samples.map((x) => x * gain)) };
}

/**
 * `audio` through a 16th-order low-pass at `cutoffHz` (eight Butterworth-Q
 * RBJ sections, about 96 dB per octave): the cliff a lossy encoder's
 * low-pass leaves.
 */
export function lowPassed(audio: PcmAudio, cutoffHz: number): PcmAudio {
  const w = (2 * Math.PI * cutoffHz) / audio.sampleRateHz;
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const b0 = (1 - Math.cos(w)) / 2 / a0;
  const b1 = (1 - Math.cos(w)) / a0;
  const a1 = (-2 * Math.cos(w)) / a0;
  const a2 = (1 - alpha) / a0;
  const channels = audio.channels.map((input) => {
    let x = Float64Array.from(input);
    for (let section = 0; section < 8; section++) {
      const y = new Float64Array(x.length);
      let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
      for (let i = 0; i < x.length; i++) {
        const out = b0 * x[i] + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2;
        x2 = x1; x1 = x[i]; y2 = y1; y1 = out;
        y[i] = out;
      }
      x = y;
    }
    return Float32Array.from(x);
  });
  return { sampleRateHz: audio.sampleRateHz, channels };
}

/** The mono mix (L + R) / 2 as a one-channel track. */
export function monoFold(audio: PcmAudio): PcmAudio {
  const [left, right] = audio.channels;
  return { sampleRateHz: audio.sampleRateHz, channels: [right ? left.map((x, i) => 0.5 * (x + right[i])) : left.slice()] };
}

/** Digital silence of the given length and layout. */
export function silence(sampleRateHz: number, seconds: number, channels: number): PcmAudio {
  return { sampleRateHz, channels: Array.from({ length: channels }, () => new Float32Array(Math.round(sampleRateHz * seconds))) };
}
