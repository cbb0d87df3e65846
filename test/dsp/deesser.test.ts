// The de-esser's control-rate side chain: it cuts the sibilance band while the
// band dominates, leaves everything else alone, and never touches audio without sibilance.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deEss } from '../../core/dsp/deesser.ts';
import { bandPower, analyzeSpectrum } from '../../core/dsp/spectrum.ts';
import { SIMD_ENERGY_BLOCK, stereoBlockEnergySimd } from '../../core/dsp/stereo-levels-simd.ts';
import { withSimd } from '../support/simd.ts';

const FS = 44100;

function noise(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
}

/** A 220 Hz voice-like tone with 5.5-8.7 kHz hiss bursts (the "s") of 125 ms every half second, per channel. */
function sibilantVoice(seconds: number, channelCount: number): Float32Array[] {
  const hissHz = [5500, 6300, 7100, 7900, 8700];
  return Array.from({ length: channelCount }, (_, c) =>
    Float32Array.from({ length: FS * seconds }, (_, i) => {
      const burst = i % (FS / 2) < FS / 8;
      let hiss = 0;
      if (burst) for (const [k, hz] of hissHz.entries()) hiss += 0.08 * Math.sin((2 * Math.PI * hz * i) / FS + k + c);
      return 0.3 * Math.sin((2 * Math.PI * 220 * i) / FS) + hiss;
    }),
  );
}

const bandDb = (channels: Float32Array[], lowHz: number, highHz: number) => {
  const spectrum = analyzeSpectrum(channels, FS);
  return 10 * Math.log10(bandPower(spectrum.longTermPower, spectrum.binHz, lowHz, highHz));
};

test('sibilant bursts are cut in the 5-10 kHz band while the voice below stays as it was', () => {
  for (const channelCount of [1, 2, 3]) {
    const channels = sibilantVoice(4, channelCount);
    const before = { sibilance: bandDb(channels, 5000, 10000), voice: bandDb(channels, 100, 400) };
    const report = deEss(channels, FS, { thresholdShare: 0.1, depthDb: 6 });
    const after = { sibilance: bandDb(channels, 5000, 10000), voice: bandDb(channels, 100, 400) };
    const label = `${channelCount} ch`;
    assert.ok(before.sibilance - after.sibilance > 3, `${label}: sibilance lowered by ${(before.sibilance - after.sibilance).toFixed(2)} dB`);
    assert.ok(Math.abs(before.voice - after.voice) < 0.1, `${label}: voice changed by ${(before.voice - after.voice).toFixed(3)} dB`);
    assert.ok(report.maxCutDb > 4 && report.maxCutDb <= 6, `${label}: deepest cut ${report.maxCutDb}`);
    assert.ok(report.activeFraction > 0.2, `${label}: active ${report.activeFraction}`);
  }
});

test('audio without sibilance passes bit for bit, and a zero depth does nothing', () => {
  const channels = sibilantVoice(2, 2).map((samples) => samples.map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / FS)));
  const copy = channels.map((samples) => samples.slice());
  assert.equal(deEss(channels, FS, { thresholdShare: 0.1, depthDb: 6 }), { activeFraction: 0, maxCutDb: 0 });
  channels.forEach((samples, c) => assert.ok(samples.every((v, i) => v === copy[c][i]), `channel ${c} untouched`));
  const sibilant = sibilantVoice(1, 1);
  const untouched = sibilant[0].slice();
  assert.equal(deEss(sibilant, FS, { thresholdShare: 0.1, depthDb: 0 }), { activeFraction: 0, maxCutDb: 0 });
  assert.ok(sibilant[0].every((v, i) => v === untouched[i]));
});

test('SIMD stereo block energies equal the per-channel sums, whole and cut blocks', withSimd(() => {
  for (const length of [0, 5, 16, 17, 32768, 32768 + 21, 100_003]) {
    const left = noise(length, 7);
    const right = noise(length, 9);
    const simd = stereoBlockEnergySimd(left, right);
    if (!simd) return assert.unreachable('this runtime lacks WebAssembly SIMD');
    const expected = Array.from({ length: Math.ceil(length / SIMD_ENERGY_BLOCK) }, (_, b) => {
      let sumLeft = 0;
      let sumRight = 0;
      for (let i = b * SIMD_ENERGY_BLOCK; i < Math.min(length, (b + 1) * SIMD_ENERGY_BLOCK); i++) {
        sumLeft += left[i] * left[i];
        sumRight += right[i] * right[i];
      }
      return sumLeft + sumRight;
    });
    assert.equal(Array.from(simd), expected, `length ${length}`);
  }
}));

test.run();
