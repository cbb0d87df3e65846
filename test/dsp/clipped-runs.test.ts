import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clippedRunsTap, countClippedRuns, FULL_SCALE_LINEAR, MIN_CLIPPED_RUN_SAMPLES } from '../../core/dsp/clipped-runs.ts';
import { setSimdEnabled } from '../../core/wasm/simd-module.ts';

/** The plain definition: runs of consecutive full-scale samples, per channel. */
function naive(channels: readonly Float32Array[]) {
  let runs = 0;
  let samples = 0;
  let longestRun = 0;
  for (const channel of channels) {
    let run = 0;
    for (let i = 0; i <= channel.length; i++) {
      if (i < channel.length && Math.abs(channel[i]) >= FULL_SCALE_LINEAR) {
        run++;
        continue;
      }
      if (run >= MIN_CLIPPED_RUN_SAMPLES) {
        runs++;
        samples += run;
        longestRun = Math.max(longestRun, run);
      }
      run = 0;
    }
  }
  return { runs, samples, longestRun };
}

/** Music-like noise with flattened tops of random lengths at random places, some across 16-sample blocks. */
function clipped(channelCount: number, length: number, seed: number): Float32Array[] {
  let state = seed;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: channelCount }, () => {
    const samples = new Float32Array(length);
    for (let i = 0; i < length; i++) samples[i] = (random() - 0.5) * 1.6;
    for (let k = 0; k < length / 400; k++) {
      const at = Math.floor(random() * length);
      const run = 1 + Math.floor(random() * 40);
      const level = random() < 0.5 ? -1 : 0.9995;
      for (let i = at; i < Math.min(length, at + run); i++) samples[i] = level;
    }
    return samples;
  });
}

for (const simd of [true, false]) {
  test(`clipped runs counted in pushes of any size equal the plain count (SIMD ${simd ? 'on' : 'off'})`, () => {
    setSimdEnabled(simd);
    try {
      for (const channelCount of [1, 2, 3]) {
        const channels = clipped(channelCount, 20011, 7 + channelCount);
        const expected = naive(channels);
        assert.ok(expected.runs > 20, 'the material has clipped runs');
        assert.equal(countClippedRuns(channels), expected, `${channelCount} channels whole`);
        for (const block of [1, 5, 16, 17, 1000, 4096]) {
          const tap = clippedRunsTap(channelCount);
          for (let start = 0; start < 20011; start += block) tap.push(channels.map((samples) => samples.subarray(start, start + block)));
          assert.equal(tap.result(), expected, `${channelCount} channels in blocks of ${block}`);
        }
      }
    } finally {
      setSimdEnabled(true);
    }
  });
}

test('a run still open at the end counts; unclipped audio has none', () => {
  const tail = new Float32Array([0, 0.5, 1, 1, 1]);
  assert.equal(countClippedRuns([tail]), { runs: 1, samples: 3, longestRun: 3 });
  assert.equal(countClippedRuns([new Float32Array(1000).fill(0.998)]), { runs: 0, samples: 0, longestRun: 0 });
});

test.run();
