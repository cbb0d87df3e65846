// The loudness predictions and the rider's search work in reused arrays
// (a fresh whole-track array costs more in page faults than a prediction):
// a predictor made with shared buffers predicts exactly what one with arrays
// of its own does, and the rider's plan keeps the gains of the ratio it chose
// even though every candidate was computed in the same arrays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kWeightedBlockEnergy } from '../../core/dsp/kweighted-blocks.ts';
import { DEFAULT_LIMITER_TIMING, samplePeakEnvelope } from '../../core/dsp/limiter.ts';
import { planGainRider, riddenPredictor, type RiderProblem } from '../../core/mastering/dynamics-match.ts';
import { blockMaxima, createBlockPredictor } from '../../core/mastering/loudness-prediction.ts';
import { handBackScratch, releaseScratch, takeScratch } from '../../core/dsp/scratch-memory.ts';

const FS = 44100;

/** Sections of music-like noise 10 dB apart (a dynamic target the rider has work on), seeded. */
function sectionedSignal(seconds: number, seed: number): Float32Array[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 - 0.5;
  };
  const length = seconds * FS;
  return [0, 1].map((c) =>
    Float32Array.from({ length }, (_, i) => {
      const section = Math.floor(i / (6 * FS)) % 3;
      const level = [0.05, 0.5, 0.16][section];
      return level * (0.6 * Math.sin((2 * Math.PI * 220 * i) / FS + c) + random());
    }),
  );
}

function problemOf(channels: Float32Array[]): Omit<RiderProblem, 'ceilingLinear' | 'goalLufs' | 'goalLraLu' | 'maxGainDb'> {
  return {
    energy: kWeightedBlockEnergy(channels, FS),
    blockPeaks: blockMaxima(samplePeakEnvelope(channels)),
    length: channels[0].length,
    sampleRateHz: FS,
    timing: DEFAULT_LIMITER_TIMING,
  };
}

test('a predictor in shared buffers (its look-ahead peaks over its block peaks) predicts what one with its own arrays does, one after another', () => {
  const problems = [problemOf(sectionedSignal(40, 1)), problemOf(sectionedSignal(40, 2))];
  const gainCurve = new Float32Array(problems[0].blockPeaks.length);
  for (const problem of problems) {
    const own = createBlockPredictor(problem.energy, problem.blockPeaks, problem.length, FS, problem.timing);
    const peaks = problem.blockPeaks.slice();
    const shared = createBlockPredictor(problem.energy, peaks, problem.length, FS, problem.timing, { windowPeaks: peaks, gainCurve });
    for (const gainDb of [0, 6, 12, 18]) {
      assert.is(shared.loudness(gainDb, 0.89), own.loudness(gainDb, 0.89), `loudness at +${gainDb} dB`);
      assert.equal(shared.programme(gainDb, 0.89), own.programme(gainDb, 0.89), `programme at +${gainDb} dB`);
      assert.is(shared.regionLoudness(gainDb, 0.89, 5 * FS, 20 * FS), own.regionLoudness(gainDb, 0.89, 5 * FS, 20 * FS));
    }
  }
});

test('a predictor asked again for the gain it last predicted answers as a fresh one does, whatever it was asked in between', () => {
  const problem = problemOf(sectionedSignal(40, 3));
  const fresh = () => createBlockPredictor(problem.energy, problem.blockPeaks, problem.length, FS, problem.timing);
  const predictor = fresh();
  const asks: [string, (p: ReturnType<typeof fresh>) => unknown][] = [
    ['loudness +9', (p) => p.loudness(9, 0.89)],
    ['programme +9', (p) => p.programme(9, 0.89)],
    ['region +9', (p) => p.regionLoudness(9, 0.89, 2 * FS, 30 * FS)],
    ['region +3', (p) => p.regionLoudness(3, 0.89, 2 * FS, 30 * FS)],
    ['programme +9 again', (p) => p.programme(9, 0.89)],
    ['loudness +9 under another ceiling', (p) => p.loudness(9, 0.7)],
    ['programme +9 again', (p) => p.programme(9, 0.89)],
    ['loudness +9 unlimited', (p) => p.loudness(9, Infinity)],
    ['loudness +9 again', (p) => p.loudness(9, 0.89)],
  ];
  for (const [what, ask] of asks) assert.equal(ask(predictor), ask(fresh()), what);
});

test("the rider's plan carries the gains of the ratio it chose, and they predict what the plan says", () => {
  const problem = problemOf(sectionedSignal(60, 3));
  const unridden = riddenPredictor(problem, null).programme(0, 0.89).loudnessRangeLu!;
  for (const goalLraLu of [unridden * 0.5, unridden * 0.8]) {
    const plan = planGainRider({ ...problem, ceilingLinear: 0.89, goalLufs: -12, goalLraLu, maxGainDb: 40 });
    assert.ok(plan.blockGains !== null && plan.ratio !== 1, `the rider rides toward ${goalLraLu.toFixed(1)} LU`);
    const kept = plan.blockGains!.slice();
    // Another plan in between must not touch this one's gains.
    planGainRider({ ...problem, ceilingLinear: 0.89, goalLufs: -12, goalLraLu: unridden * 0.3, maxGainDb: 40 });
    assert.equal(plan.blockGains, kept);
    assert.equal(riddenPredictor(problem, plan.blockGains).programme(plan.loudnessGainDb, 0.89), plan.predicted);
    // The largest lift and cut it reports are those of its gains, block by block.
    const blockDb = Array.from(plan.blockGains!, (gain) => 20 * Math.log10(gain));
    assert.is(plan.maxLiftDb, blockDb.reduce((largest, db) => Math.max(largest, db), 0));
    assert.is(plan.maxCutDb, blockDb.reduce((largest, db) => Math.max(largest, -db), 0));
    assert.ok(plan.maxLiftDb > 0 && plan.maxCutDb > 0, 'this rider both lifts and cuts');
  }
});

test('a plan searched in scratch memory an earlier phase handed back (holding its leftovers) is the plan searched in new memory, and keeps none of it', () => {
  const problem = problemOf(sectionedSignal(60, 4));
  const goalLraLu = riddenPredictor(problem, null).programme(0, 0.89).loudnessRangeLu! * 0.6;
  const settings = { ...problem, ceilingLinear: 0.89, goalLufs: -12, goalLraLu, maxGainDb: 40 };
  releaseScratch();
  const inNewMemory = planGainRider(settings);
  // What a probe leaves: its excerpt's samples, larger than the rider's arrays.
  const leftovers = new ArrayBuffer(problem.energy.length * 24);
  new Float32Array(leftovers).fill(0.731);
  handBackScratch(leftovers);
  const inLeftovers = planGainRider(settings);
  assert.equal({ ...inLeftovers, blockGains: null }, { ...inNewMemory, blockGains: null });
  assert.ok(
    inLeftovers.blockGains!.every((gain, b) => gain === inNewMemory.blockGains![b]),
    'the same gains, block by block',
  );
  // Taken again and scribbled over by a later phase, the plan's gains stay as they were.
  const kept = inLeftovers.blockGains!.slice();
  handBackScratch(leftovers);
  new Float32Array(takeScratch(leftovers.byteLength)).fill(-1);
  assert.ok(
    inLeftovers.blockGains!.every((gain, b) => gain === kept[b]),
    'the gains are an array of their own',
  );
  releaseScratch();
});

test.run();
