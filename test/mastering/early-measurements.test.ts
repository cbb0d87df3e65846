// Measurements the render takes earlier than where they are used, so that
// they cost no pass of their own or run beside other work: the width that
// reaches the width stage (taken in the equaliser's pass when no matching FIR
// comes between) and the probe's rider plan (a tap that plans as soon as the
// last frame is in). Each gives exactly what taking it where it is used gives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { decodeAudio } from '../../core/audio/decode.ts';
import { countClippedRuns } from '../../core/dsp/clipped-runs.ts';
import { samplePeakEnvelope } from '../../core/dsp/limiter.ts';
import { measureStereoWidthOf } from '../../core/dsp/stereo-width.ts';
import type { Frames } from '../../core/dsp/stream-stage.ts';
import { analyzeTrack } from '../../core/mastering/analysis.ts';
import { decideMastering } from '../../core/mastering/decision.ts';
import { blockMaxima, kWeightedBlockEnergy } from '../../core/mastering/loudness-prediction.ts';
import { masterStore } from '../../core/mastering/master.ts';
import { staticEqualizer } from '../../core/mastering/processing.ts';
import { planRider, renderAfterStaticEq, riderSettings, type RenderRequest } from '../../core/mastering/render.ts';
import { riderPlanTap } from '../../core/mastering/rider-plan-tap.ts';
import { createTap, type TapHost, type TapSpec } from '../../core/mastering/tap-host.ts';
import { isMonoWidth } from '../../core/mastering/width-match.ts';
import { fixturePath } from '../support/fixtures.ts';

async function decoded(path: string) {
  return decodeAudio(new Uint8Array(readFileSync(fixturePath(path))), { filename: path, keepChannels: true });
}

async function fixedDecision() {
  const target = await decoded('indie_pop/target.wav');
  const analysis = analyzeTrack(target);
  const reference = analyzeTrack(await decoded('indie_pop/reference.wav'));
  const decision = decideMastering(analysis, reference, { eqMode: 'fixed', eqPreset: 'neutral', deEsserMode: 'auto' });
  return { target, analysis, reference, decision };
}

test('a width taken before the render (flat matching curve) renders the very master the render measuring it itself does', async () => {
  const { target, analysis, decision } = await fixedDecision();
  assert.is(decision.toneGoal, null, 'fixed mode has no tone goal');
  const { sampleRateHz } = target;
  const equalized = target.channels.map((samples) => samples.slice());
  staticEqualizer(decision, sampleRateHz).process(equalized);
  const request: RenderRequest = {
    decision,
    curve: decision.eqCurve,
    targetIntegratedLufs: analysis.integratedLufs,
    targetIsMono: isMonoWidth(analysis.width),
    goalLufs: decision.loudness.lufs,
    rider: { kind: 'plan' },
  };
  const render = (widthIn?: ReturnType<typeof measureStereoWidthOf>) => {
    const copy = equalized.map((samples) => samples.slice());
    const report = renderAfterStaticEq(memoryTrackStore(copy, sampleRateHz), widthIn === undefined ? request : { ...request, widthIn });
    return { copy, report };
  };
  const measuredHere = render();
  const givenEarly = render(measureStereoWidthOf(equalized, sampleRateHz));
  assert.ok(measuredHere.report.width !== null, 'the fixture is widened');
  measuredHere.copy.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(givenEarly.copy[c].buffer)), `channel ${c} bit for bit`));
  assert.equal(givenEarly.report.width, measuredHere.report.width);
});

test('a width given for the signal before a matching FIR is refused: the FIR changes it', async () => {
  const { target, analysis, decision } = await fixedDecision();
  assert.is(decision.eqCurve.length, 0, 'fixed mode has a flat curve');
  const curve = [{ lowHz: 800, highHz: 1600, centreHz: 1131, rawDeltaDb: 2, correctionDb: 2, clamped: false, matched: true }];
  assert.throws(
    () =>
      renderAfterStaticEq(memoryTrackStore(target.channels.map((samples) => samples.slice()), target.sampleRateHz), {
        decision,
        curve,
        targetIntegratedLufs: analysis.integratedLufs,
        targetIsMono: false,
        widthIn: measureStereoWidthOf(target.channels, target.sampleRateHz),
        goalLufs: decision.loudness.lufs,
        rider: { kind: 'plan' },
      }),
    /matching FIR/,
  );
});

test('the rider-plan tap, fed in blocks of any size, plans what planRider plans on the whole track’s statistics', async () => {
  const { target, decision } = await fixedDecision();
  const { sampleRateHz, channels } = target;
  const length = channels[0].length;
  const settings = riderSettings(decision, sampleRateHz, decision.loudness.lufs);
  assert.ok(settings, 'the decision has a range goal');
  const expected = planRider(kWeightedBlockEnergy(channels, sampleRateHz), blockMaxima(samplePeakEnvelope(channels)), length, sampleRateHz, decision, decision.loudness.lufs);
  assert.ok(expected?.blockGains, 'the fixture is ridden');
  for (const sizes of [[length], [4096, 17, 65536, 1000]]) {
    const tap = riderPlanTap(sampleRateHz, channels.length, length, settings!);
    for (let start = 0, k = 0; start < length; k++) {
      const end = Math.min(length, start + sizes[k % sizes.length]);
      const block: Frames = channels.map((samples) => samples.subarray(start, end));
      tap.push(block);
      start = end;
    }
    assert.equal(tap.result(), expected);
  }
});

test('masterStore plans the probe’s rider on the tap host and, in fixed mode, takes the width in the equaliser’s pass: the same master as with every measurement here', async () => {
  const { target, analysis, reference } = await fixedDecision();
  const opened: TapSpec[] = [];
  const host: TapHost = { open: (spec) => (opened.push(spec), createTap(spec)) };
  const render = (tapHost?: TapHost) => {
    const copy = target.channels.map((samples) => samples.slice());
    masterStore({ store: memoryTrackStore(copy, target.sampleRateHz), analysis, clipping: countClippedRuns(copy) }, reference, { eqMode: 'fixed', tapHost });
    return copy;
  };
  const here = render();
  const hosted = render(host);
  here.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(hosted[c].buffer)), `channel ${c} bit for bit`));
  assert.is(opened[0].kind, 'rider-plan', 'the first tap on the host is the probe’s rider plan');
});

test.run();
