import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TrackAnalysis } from '../../core/mastering/analysis.ts';
import { decideMastering } from '../../core/mastering/decision.ts';
import { PROFILE_ALIASES, resolveProfile, type EqPreset, type ProfileId } from '../../core/mastering/options.ts';
import { selectStrategy, type StrategyId } from '../../core/mastering/strategies.ts';
import type { SpectrumAnalysis } from '../../core/dsp/spectrum.ts';

// The tuning tables of SPEC section 4, written out again here (not imported) so
// a typo in core/mastering/profiles.ts fails a test.
const SPEC = {
  default: { shelf: [12, 3], thr: [-22, 1.2, -30, -14], ratio: [2.2, 0.3, 1.5, 4], ceil: [-1.0, -0.9], deThr: [0.08, 0.2, 0.04, 0.2], deDepth: [30, 0, 6], loud: [0.3, 1.5], tp: [-1.0, 0.1], eq: [4, 0.75] },
  conservative: { shelf: [9, 2.25], thr: [-20, 0.8, -27, -16], ratio: [1.9, 0.2, 1.3, 3], ceil: [-1.1, -1.0], deThr: [0.1, 0.15, 0.05, 0.22], deDepth: [24, 0, 4], loud: [0.45, 1.0], tp: [-1.2, 0.08], eq: [3, 1.0] },
  aggressive: { shelf: [14, 4], thr: [-24, 1.5, -32, -12], ratio: [2.6, 0.45, 1.8, 5], ceil: [-0.9, -0.7], deThr: [0.07, 0.25, 0.035, 0.18], deDepth: [36, 0, 8], loud: [0.2, 2.0], tp: [-0.8, 0.12], eq: [5.5, 0.5] },
} as const;
const PRESETS: Record<EqPreset, [number, number, number, number, number]> = {
  neutral: [0, 0, 0, 0, 0],
  warm: [1.5, -0.8, 0.5, 0, 0],
  bright: [-0.8, 1.8, 0, 0, 0.4],
  'vocal-presence': [-0.6, 1.2, 0, 0.8, 0.2],
  'bass-boost': [2.0, -0.5, 0.8, 0, 0],
};
const STRATEGY = {
  corrective_combo: { eq: 1.2, dyn: 1.25, de: 1.25, deOff: -0.01, ceil: -0.2 },
  clip_guard: { eq: 1, dyn: 1.15, de: 1, deOff: 0, ceil: -0.2 },
  dynamic_rescue: { eq: 1, dyn: 1.3, de: 1, deOff: 0, ceil: -0.1 },
  harsh_tame: { eq: 1.15, dyn: 1, de: 1.2, deOff: -0.01, ceil: 0 },
  bass_control: { eq: 1.2, dyn: 1.1, de: 1, deOff: 0, ceil: -0.05 },
  balanced: { eq: 1, dyn: 1, de: 1, deOff: 0, ceil: 0 },
} as const;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} !== ${expected}`);

const flatSpectrum: SpectrumAnalysis = {
  sampleRateHz: 44100,
  fftSize: 1024,
  binHz: 44100 / 1024,
  longTermPower: new Float64Array(513).fill(1),
  windowSeconds: 0.3,
  hopSeconds: 0.15,
  frameCount: 0,
  bandTrajectories: { total: new Float32Array(), low: new Float32Array(), mid: new Float32Array(), high: new Float32Array(), sibilance: new Float32Array() },
};

interface Traits {
  low: number;
  high: number;
  sibilance: number;
  crest: number;
  clipping?: boolean;
  rms?: number;
  lufs?: number | null;
}

function track({ low, high, sibilance, crest, clipping = false, rms = -20, lufs = -18 }: Traits): TrackAnalysis {
  return {
    sampleRateHz: 44100,
    channelCount: 2,
    durationSeconds: 10,
    rmsDbfs: rms,
    samplePeakDbfs: rms + crest,
    crestFactorDb: crest,
    integratedLufs: lufs,
    loudnessRangeLu: 5,
    truePeakDbtp: rms + crest,
    spectralCentroidHz: 1500,
    spectralRolloffHz: 6000,
    energyShares: { low, mid: 1 - low - high, high },
    width: null,
    spectralCutoffHz: null,
    sibilanceRatio: sibilance,
    clipping,
    silent: false,
    shortTime: {
      windowSeconds: 0.3,
      hopSeconds: 0.15,
      levelEnvelopeDb: new Float32Array(),
      crestDb: new Float32Array(),
      lowShare: new Float32Array(),
      midShare: new Float32Array(),
      highShare: new Float32Array(),
      sibilanceShare: new Float32Array(),
      transientDensityPerSecond: 2,
    },
    spectrum: flatSpectrum,
  };
}

// Pairs chosen to land in each strategy, with what the spec's conditions say.
const SCENARIOS: Array<{ name: string; target: Traits; reference: Traits; strategy: StrategyId }> = [
  { name: 'balanced', target: { low: 0.3, high: 0.1, sibilance: 0.05, crest: 14 }, reference: { low: 0.28, high: 0.12, sibilance: 0.05, crest: 12 }, strategy: 'balanced' },
  { name: 'bass-heavy', target: { low: 0.45, high: 0.08, sibilance: 0.04, crest: 15 }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 11 }, strategy: 'bass_control' },
  { name: 'harsh by high share', target: { low: 0.2, high: 0.25, sibilance: 0.06, crest: 13 }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 11 }, strategy: 'harsh_tame' },
  { name: 'harsh by sibilance', target: { low: 0.3, high: 0.14, sibilance: 0.09, crest: 13 }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 11 }, strategy: 'harsh_tame' },
  { name: 'over-compressed', target: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 7 }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 10 }, strategy: 'dynamic_rescue' },
  { name: 'clipping', target: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 12, clipping: true }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 11 }, strategy: 'clip_guard' },
  { name: 'loud rms', target: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 12, rms: -8 }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 11 }, strategy: 'clip_guard' },
  { name: 'three conditions', target: { low: 0.45, high: 0.25, sibilance: 0.1, crest: 6, clipping: true }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 11 }, strategy: 'corrective_combo' },
  { name: 'clipping beats over-compressed', target: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 6, clipping: true }, reference: { low: 0.3, high: 0.12, sibilance: 0.05, crest: 10 }, strategy: 'clip_guard' },
];

test('strategy selection follows the conditions and their priority', () => {
  for (const s of SCENARIOS) {
    const selection = selectStrategy({
      targetLowShare: s.target.low,
      referenceLowShare: s.reference.low,
      targetHighShare: s.target.high,
      referenceHighShare: s.reference.high,
      targetSibilance: s.target.sibilance,
      referenceSibilance: s.reference.sibilance,
      targetCrestDb: s.target.crest,
      referenceCrestDb: s.reference.crest,
      targetClipping: s.target.clipping ?? false,
      targetRmsDbfs: s.target.rms ?? -20,
    });
    assert.is(selection.id, s.strategy, s.name);
  }
});

test('condition thresholds are inclusive at the spec values (0.08 share, 0.025 sibilance, 2 dB crest, -9 dBFS)', () => {
  const base = { targetLowShare: 0.3, referenceLowShare: 0.3, targetHighShare: 0.1, referenceHighShare: 0.1, targetSibilance: 0.05, referenceSibilance: 0.05, targetCrestDb: 10, referenceCrestDb: 10, targetClipping: false, targetRmsDbfs: -20 };
  assert.ok(selectStrategy({ ...base, targetLowShare: 0.38 }).conditions.bass_heavy);
  assert.not.ok(selectStrategy({ ...base, targetLowShare: 0.379 }).conditions.bass_heavy);
  assert.ok(selectStrategy({ ...base, targetHighShare: 0.18 }).conditions.harsh_upper_mids);
  assert.ok(selectStrategy({ ...base, targetSibilance: 0.075 }).conditions.harsh_upper_mids);
  assert.not.ok(selectStrategy({ ...base, targetSibilance: 0.074 }).conditions.harsh_upper_mids);
  assert.ok(selectStrategy({ ...base, referenceCrestDb: 12 }).conditions.over_compressed);
  assert.not.ok(selectStrategy({ ...base, referenceCrestDb: 11.99 }).conditions.over_compressed);
  assert.ok(selectStrategy({ ...base, targetRmsDbfs: -9 }).conditions.clipping_prone);
  assert.not.ok(selectStrategy({ ...base, targetRmsDbfs: -9.01 }).conditions.clipping_prone);
});

test('every formula and clamp matches the tuning tables for all profiles, presets and strategies', () => {
  let checked = 0;
  for (const profile of ['default', 'conservative', 'aggressive'] as ProfileId[]) {
    const t = SPEC[profile];
    for (const preset of Object.keys(PRESETS) as EqPreset[]) {
      for (const s of SCENARIOS) {
        const target = track(s.target);
        const reference = track(s.reference);
        const d = decideMastering(target, reference, { eqMode: 'fixed', eqPreset: preset, deEsserMode: 'auto', profile });
        const k = STRATEGY[s.strategy];
        const [pl, ph, bl, bm, bh] = PRESETS[preset];
        const what = `${profile}/${preset}/${s.name}`;
        assert.is(d.profile.id, profile, what);
        assert.is(d.strategy.id, s.strategy, what);
        close(d.lowShelfDb, clamp((s.reference.low - s.target.low) * t.shelf[0] * k.eq, -t.shelf[1], t.shelf[1]) + pl, `${what} low shelf`);
        close(d.highShelfDb, clamp((s.reference.high - s.target.high) * t.shelf[0] * k.eq, -t.shelf[1], t.shelf[1]) + ph, `${what} high shelf`);
        assert.equal(d.bandBiasDb, { low: bl, mid: bm, high: bh }, `${what} band bias`);
        const crestDelta = s.target.crest - s.reference.crest;
        close(d.compressor.thresholdDb, clamp(t.thr[0] + crestDelta * t.thr[1] * k.dyn, t.thr[2], t.thr[3]), `${what} threshold`);
        close(d.compressor.ratio, clamp(t.ratio[0] + Math.max(0, crestDelta) * t.ratio[1] * k.dyn, t.ratio[2], t.ratio[3]), `${what} ratio`);
        assert.is(d.compressor.attackMs, 15);
        assert.is(d.compressor.releaseMs, 120);
        const deThr = clamp(t.deThr[0] + s.reference.sibilance * t.deThr[1] + k.deOff, t.deThr[2], t.deThr[3]);
        close(d.deEsser.thresholdShare, deThr, `${what} de-esser threshold`);
        const depth = (Math.max(0, s.target.sibilance - deThr) + 0.5 * Math.max(0, s.target.sibilance - s.reference.sibilance)) * t.deDepth[0] * k.de;
        close(d.deEsser.depthDb, clamp(depth, t.deDepth[1], t.deDepth[2]), `${what} de-esser depth`);
        close(d.limiter.ceilingDbtp, (s.target.clipping ? t.ceil[0] : t.ceil[1]) + k.ceil, `${what} ceiling`);
        assert.is(d.limiter.releaseMs, 150);
        assert.equal(d.truePeak, { ceilingDbtp: t.tp[0], source: 'profile', toleranceDb: t.tp[1] }, what);
        assert.equal([d.loudness.toleranceDb, d.loudness.maxCorrectionDb], [t.loud[0], t.loud[1]], what);
        checked++;
      }
    }
  }
  assert.is(checked, 3 * 5 * SCENARIOS.length);
});

test('clamps bind: extreme deltas stop at each profile limit', () => {
  for (const profile of ['default', 'conservative', 'aggressive'] as ProfileId[]) {
    const t = SPEC[profile];
    const d = decideMastering(
      track({ low: 0.9, high: 0.0, sibilance: 0.6, crest: 40 }),
      track({ low: 0.0, high: 0.9, sibilance: 0.0, crest: 3 }),
      { eqMode: 'fixed', eqPreset: 'neutral', deEsserMode: 'auto', profile },
    );
    assert.is(d.lowShelfDb, -t.shelf[1]);
    assert.is(d.highShelfDb, t.shelf[1]);
    assert.is(d.compressor.thresholdDb, t.thr[3]);
    assert.is(d.compressor.ratio, t.ratio[3]);
    assert.is(d.deEsser.depthDb, t.deDepth[2]);
    const low = decideMastering(
      track({ low: 0.1, high: 0.1, sibilance: 0.0, crest: 3 }),
      track({ low: 0.1, high: 0.1, sibilance: 0.0, crest: 40 }),
      { eqMode: 'fixed', eqPreset: 'neutral', deEsserMode: 'auto', profile },
    );
    assert.is(low.compressor.thresholdDb, t.thr[2]);
    assert.is(low.compressor.ratio, t.ratio[0] < t.ratio[2] ? t.ratio[2] : t.ratio[0]);
    assert.is(low.deEsser.thresholdShare, t.deThr[2] > t.deThr[0] ? t.deThr[2] : t.deThr[0]);
    assert.is(low.deEsser.depthDb, 0);
  }
});

test('profile aliases resolve, and without a profile the preset picks it', () => {
  assert.equal(PROFILE_ALIASES, {
    default: 'default',
    conservative: 'conservative',
    aggressive: 'aggressive',
    'reference-mastering-default': 'default',
    'reference-mastering-conservative': 'conservative',
    'reference-mastering-aggressive': 'aggressive',
    'streaming-balanced': 'default',
    'streaming-loud': 'aggressive',
  });
  const expected: Record<EqPreset, ProfileId> = { neutral: 'default', warm: 'conservative', bright: 'aggressive', 'vocal-presence': 'default', 'bass-boost': 'aggressive' };
  for (const [preset, profile] of Object.entries(expected) as Array<[EqPreset, ProfileId]>) {
    assert.is(resolveProfile({ eqPreset: preset }), profile);
    const d = decideMastering(track(SCENARIOS[0].target), track(SCENARIOS[0].reference), { eqMode: 'fixed', eqPreset: preset, deEsserMode: 'off' });
    assert.is(d.profile.id, profile);
  }
  assert.is(resolveProfile({ eqPreset: 'bright', profile: 'conservative' }), 'conservative');
});

test('the loudness goal is the reference loudness, or target_lufs when given, or none for a silent reference', () => {
  const target = track(SCENARIOS[0].target);
  const options = { eqMode: 'fixed', eqPreset: 'neutral', deEsserMode: 'off' } as const;
  assert.equal(decideMastering(target, track({ ...SCENARIOS[0].reference, lufs: -9.5 }), options).loudness.lufs, -9.5);
  const explicit = decideMastering(target, track({ ...SCENARIOS[0].reference, lufs: -9.5 }), { ...options, goalLufs: -14 });
  assert.equal([explicit.loudness.lufs, explicit.loudness.source], [-14, 'target_lufs']);
  const silent = decideMastering(target, track({ ...SCENARIOS[0].reference, lufs: null }), options);
  assert.equal([silent.loudness.lufs, silent.loudness.source], [null, 'none']);
});

test('fixed mode realises no matching curve; reference-match does, within the clamp', () => {
  const options = { eqPreset: 'neutral', deEsserMode: 'off' } as const;
  const target = track(SCENARIOS[1].target);
  const reference = { ...track(SCENARIOS[1].reference), spectrum: { ...flatSpectrum, longTermPower: flatSpectrum.longTermPower.map((_, k) => 1 + k / 50) } };
  assert.is(decideMastering(target, reference, { ...options, eqMode: 'fixed' }).eqCurve.length, 0);
  const matched = decideMastering(target, reference, { ...options, eqMode: 'reference-match' });
  assert.ok(matched.eqCurve.length >= 20);
  assert.ok(matched.eqCurve.some((band) => band.correctionDb !== 0));
  // The nine reported bands follow the tuning table (±4 dB, corrections under 0.75 dropped);
  // the realised curve reaches further, up to the profile's safety limit.
  for (const band of matched.eqBands) {
    assert.ok(Math.abs(band.correctionDb) <= 4 + 1e-9);
    assert.ok(band.correctionDb === 0 || Math.abs(band.correctionDb) >= 0.75 - 1e-9);
  }
  for (const band of matched.eqCurve) assert.ok(Math.abs(band.correctionDb) <= matched.profile.eqMaxCorrectionDb + 1e-9);
  assert.is(matched.eqBands.length, 9);
});

test.run();
