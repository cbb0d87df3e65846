import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { biquadMagnitude, createBiquadState, isStableBiquad, runBiquad, type BiquadCoefficients } from '../../core/dsp/biquad.ts';
import { filterChannelsInPlace } from '../../core/dsp/channel-cascade.ts';
import { designHighPass, designHighShelf, designLowShelf, designPeaking, qFromOctaves } from '../../core/dsp/filters.ts';

/** Gain (dB) of `section` measured by a steady sine probe: RMS out / RMS in after the transient. */
function probeGainDb(section: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): number {
  const settle = Math.ceil(sampleRateHz * 0.5);
  const periods = Math.max(20, Math.round(frequencyHz * 0.2));
  const measure = Math.round((periods * sampleRateHz) / frequencyHz);
  const input = new Float32Array(settle + measure);
  for (let i = 0; i < input.length; i++) input[i] = Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz);
  const output = runBiquad(section, createBiquadState(), input, new Float32Array(input.length));
  let inEnergy = 0;
  let outEnergy = 0;
  for (let i = settle; i < input.length; i++) {
    inEnergy += input[i] * input[i];
    outEnergy += output[i] * output[i];
  }
  return 10 * Math.log10(outEnergy / inEnergy);
}

const RATES = [44100, 48000, 96000];
const PROBES_HZ = [31.5, 60, 125, 250, 500, 1000, 2000, 4000, 6000, 8000, 12000, 16000];

const DESIGNS: Array<[string, (fs: number) => BiquadCoefficients, Array<[number, number, number]>]> = [
  // [name, design, [frequency, expected dB, tolerance] design points of the analog prototype]
  ['30 Hz high-pass', (fs) => designHighPass(30, fs), [[30, -3.01, 0.05], [1000, 0, 0.05], [15, -12.3, 0.2]]],
  ['125 Hz low shelf +3 dB', (fs) => designLowShelf(125, 3, fs), [[20, 3, 0.1], [125, 1.5, 0.05], [4000, 0, 0.05]]],
  ['125 Hz low shelf -2.25 dB', (fs) => designLowShelf(125, -2.25, fs), [[20, -2.25, 0.1], [125, -1.125, 0.05], [4000, 0, 0.05]]],
  ['6 kHz high shelf +1.8 dB', (fs) => designHighShelf(6000, 1.8, fs), [[100, 0, 0.05], [6000, 0.9, 0.05]]],
  ['6 kHz high shelf -4 dB', (fs) => designHighShelf(6000, -4, fs), [[100, 0, 0.05], [6000, -2, 0.05]]],
  ['1 kHz bell +4 dB, 1 octave', (fs) => designPeaking(1000, 4, qFromOctaves(1), fs), [[1000, 4, 0.01], [100, 0, 0.1]]],
  ['3.15 kHz bell -5.5 dB, Q 4.3', (fs) => designPeaking(3150, -5.5, 4.32, fs), [[3150, -5.5, 0.01], [1000, 0, 0.1]]],
];

for (const [name, design, points] of DESIGNS) {
  test(`${name}: sine probes within ±0.1 dB of the design at 44.1, 48 and 96 kHz, and stable`, () => {
    for (const fs of RATES) {
      const section = design(fs);
      assert.ok(isStableBiquad(section), `${name} unstable at ${fs}`);
      for (const f of PROBES_HZ) {
        const designed = 20 * Math.log10(biquadMagnitude(section, f, fs));
        const measured = probeGainDb(section, f, fs);
        assert.ok(Math.abs(measured - designed) <= 0.1, `${name} @${fs} ${f} Hz: measured ${measured.toFixed(3)} vs design ${designed.toFixed(3)}`);
      }
      for (const [f, expected, tolerance] of points) {
        const designed = 20 * Math.log10(biquadMagnitude(section, f, fs));
        assert.ok(Math.abs(designed - expected) <= tolerance, `${name} @${fs} ${f} Hz: design ${designed.toFixed(3)} vs ${expected}`);
      }
    }
  });
}

test('every design stays stable at every supported rate (8 kHz to 192 kHz), corners above Nyquist included', () => {
  for (const fs of [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000]) {
    const sections = [
      designHighPass(30, fs),
      designLowShelf(125, 4, fs),
      designHighShelf(6000, -4, fs),
      designHighShelf(6000, 4, fs),
      designPeaking(8000, 5.5, 0.6, fs),
      designPeaking(16000, -5.5, 4.3, fs),
    ];
    for (const section of sections) {
      assert.ok(isStableBiquad(section), `unstable at ${fs}`);
      for (const value of Object.values(section)) assert.ok(Number.isFinite(value));
    }
  }
});

test('a cascade over channels in place equals each section run in turn, for 1-3 channels and 1-4 sections', () => {
  const fs = 44100;
  const all = [designHighPass(30, fs), designLowShelf(100, 3, fs), designHighShelf(8000, -2, fs), designPeaking(1200, 1.5, 0.5, fs)];
  for (let channelCount = 1; channelCount <= 3; channelCount++) {
    for (let count = 1; count <= all.length; count++) {
      const sections = all.slice(0, count);
      const input = Array.from({ length: channelCount }, (_, c) => Float32Array.from({ length: 20003 }, (_, i) => Math.sin(i * (0.01 + 0.03 * c)) * 0.5 + ((i * 7919) % 97) / 970));
      const expected = input.map((samples) => {
        let x: Float32Array = samples.slice();
        for (const section of sections) x = runBiquad(section, createBiquadState(), x, new Float32Array(x.length));
        return x;
      });
      const actual = input.map((samples) => samples.slice());
      filterChannelsInPlace(sections, actual);
      actual.forEach((samples, c) => {
        for (let i = 0; i < samples.length; i++) {
          assert.ok(Math.abs(samples[i] - expected[c][i]) < 1e-5, `${channelCount} ch, ${count} sections, [${c}][${i}]: ${samples[i]} vs ${expected[c][i]}`);
        }
      });
    }
  }
});

test.run();
