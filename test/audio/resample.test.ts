import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resampleChannel } from '../../core/audio/resample.ts';
import { fitTone, middleRms, sineTone, toDb } from './tone-fit.ts';

const pairs: Array<[number, number]> = [[44100, 48000], [48000, 44100], [96000, 44100], [44100, 69313], [8000, 192000]];

for (const [fromHz, toHz] of pairs) {
  test(`${fromHz} → ${toHz} Hz: passband ripple ≤ 0.001 dB and in-band residual ≤ −105 dB from 20 Hz to 0.45 × the lower rate`, () => {
    const edgeHz = 0.45 * Math.min(fromHz, toHz);
    let minDb = Infinity;
    let maxDb = -Infinity;
    for (const frequencyHz of [20, 100, 1000, 3000, edgeHz / 2, edgeHz * 0.8, edgeHz]) {
      const output = resampleChannel(sineTone(frequencyHz, fromHz, 0.5), fromHz, toHz);
      const fit = fitTone(output, frequencyHz, toHz);
      const gainDb = toDb(fit.amplitude / 0.5);
      minDb = Math.min(minDb, gainDb);
      maxDb = Math.max(maxDb, gainDb);
      const residualDb = toDb(fit.residualRms / (0.5 / Math.SQRT2));
      assert.ok(residualDb <= -105, `${frequencyHz} Hz: residual ${residualDb.toFixed(1)} dB`);
    }
    assert.ok(maxDb - minDb <= 0.001, `ripple ${(maxDb - minDb).toFixed(5)} dB`);
  });
}

test('downsampling removes a tone above the new Nyquist frequency (aliasing ≤ −100 dB)', () => {
  for (const [fromHz, toHz, toneHz] of [[48000, 44100, 22950], [96000, 44100, 30000], [44100, 8000, 5000]]) {
    const output = resampleChannel(sineTone(toneHz, fromHz, 0.5), fromHz, toHz);
    const leakDb = toDb(middleRms(output) / (0.5 / Math.SQRT2));
    assert.ok(leakDb <= -100, `${fromHz}→${toHz}, ${toneHz} Hz: ${leakDb.toFixed(1)} dB`);
  }
});

test('the output has ceil(n × to / from) samples, keeps DC gain 1 and adds no delay', () => {
  const input = new Float32Array(44100).fill(0.25);
  const output = resampleChannel(input, 44100, 48000);
  assert.is(output.length, 48000);
  assert.ok(Math.abs(output[24000] - 0.25) < 1e-6);
  assert.is(resampleChannel(new Float32Array(10), 48000, 44100).length, Math.ceil((10 * 44100) / 48000));
  // An impulse stays centred: the peak lands where the time maps to.
  const impulse = new Float32Array(4800);
  impulse[2400] = 1;
  const moved = resampleChannel(impulse, 48000, 96000);
  let peakAt = 0;
  for (let i = 0; i < moved.length; i++) if (Math.abs(moved[i]) > Math.abs(moved[peakAt])) peakAt = i;
  assert.is(peakAt, 4800);
});

test('equal rates return a copy; non-integer or non-positive rates are refused', () => {
  const input = new Float32Array([1, 2, 3]);
  const copy = resampleChannel(input, 44100, 44100);
  assert.equal(Array.from(copy), [1, 2, 3]);
  assert.ok(copy !== input);
  assert.throws(() => resampleChannel(input, 44100.5, 48000), RangeError);
  assert.throws(() => resampleChannel(input, 0, 48000), RangeError);
});

test.run();
