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
