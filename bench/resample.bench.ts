// Resampler quality and speed: audo-eq's polyphase Kaiser-sinc resampler
// against wave-resampler's best mode (sinc + its default LPF). Prints passband
// ripple, in-band residual (aliasing/imaging/interpolation error), leakage of
// an out-of-band tone, and the time for one channel-minute at 44.1 → 48 kHz.
import wr from 'wave-resampler';
import { resampleChannel } from '../core/audio/resample.ts';
import { fitTone, middleRms, sineTone, toDb } from '../test/audio/tone-fit.ts';

type Resampler = (x: Float32Array, from: number, to: number) => Float32Array;
const ours: Resampler = resampleChannel;
const theirs: Resampler = (x, from, to) =>
  Float32Array.from(wr.resample(x, from, to, { method: 'sinc', LPF: true }) as ArrayLike<number>);

const pairs: Array<[number, number]> = [[44100, 48000], [48000, 44100], [96000, 44100], [44100, 69313]];

function quality(name: string, resample: Resampler) {
  for (const [from, to] of pairs) {
    const edge = 0.45 * Math.min(from, to);
    const freqs = [20, 100, 1000, 4000, 8000, 12000, 16000, edge];
    let minDb = Infinity, maxDb = -Infinity, worstResidualDb = -Infinity;
    for (const f of freqs) {
      const y = resample(sineTone(f, from, 0.5), from, to);
      const fit = fitTone(y, f, to);
      const gainDb = toDb(fit.amplitude / 0.5);
      minDb = Math.min(minDb, gainDb);
      maxDb = Math.max(maxDb, gainDb);
      worstResidualDb = Math.max(worstResidualDb, toDb(fit.residualRms / (0.5 / Math.SQRT2)));
    }
    let leakDb = NaN;
    if (to < from) {
      const f = Math.min(0.5 * from - 1000, to / 2 + 900);
      leakDb = toDb(middleRms(resample(sineTone(f, from, 0.5), from, to)) / (0.5 / Math.SQRT2));
    }
    console.log(
      `${name.padEnd(14)} ${from}→${to}: passband ${minDb.toFixed(4)}…${maxDb.toFixed(4)} dB (ripple ${(maxDb - minDb).toFixed(4)} dB), ` +
        `in-band residual ≤ ${worstResidualDb.toFixed(1)} dB, out-of-band tone leak ${Number.isNaN(leakDb) ? 'n/a' : leakDb.toFixed(1) + ' dB'}`,
    );
  }
}

function speed(name: string, resample: Resampler, seconds: number) {
  const x = new Float32Array(44100 * seconds);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.01) * 0.5 + Math.sin(i * 0.37) * 0.2;
  const t = performance.now();
  resample(x, 44100, 48000);
  const ms = performance.now() - t;
  console.log(`${name.padEnd(14)} 44100→48000: ${((ms / seconds) * 60 / 1000).toFixed(2)} s per channel-minute`);
}

quality('audo-eq', ours);
quality('wave-resampler', theirs);
speed('audo-eq', ours, 20);
speed('wave-resampler', theirs, 20);
