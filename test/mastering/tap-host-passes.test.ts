// Where the render takes its measurements: given a tap host (the Node tap
// thread in the CLI), every pass that runs stages hands it its taps — the
// probe renders' passes too; the loudness search's first pass keeps its
// sample peaks here, beside its light gain stage — and the master is the
// same, bit for bit, as with every tap taken here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { decodeAudio } from '../../core/audio/decode.ts';
import { countClippedRuns } from '../../core/dsp/clipped-runs.ts';
import { analyzeTrack } from '../../core/mastering/analysis.ts';
import { masterStore } from '../../core/mastering/master.ts';
import { EQ_MODES } from '../../core/mastering/options.ts';
import { createTap, type TapHost, type TapSpec } from '../../core/mastering/tap-host.ts';
import { fixturePath } from '../support/fixtures.ts';
import { withoutTimings } from '../support/without-timings.ts';
import { convergeLoudness } from '../../core/mastering/convergence.ts';
import { createLimiter } from '../../core/dsp/limiter.ts';
import { createGainRider } from '../../core/dsp/gain-rider.ts';
import { GAIN_BLOCK } from '../../core/dsp/block-gains.ts';
import type { LoudnessResult } from '../../core/dsp/loudness.ts';

async function decoded(path: string) {
  return decodeAudio(new Uint8Array(readFileSync(fixturePath(path))), { filename: path, keepChannels: true });
}

/** A host that takes its taps here, as `LOCAL_TAPS` does, and notes what it was asked for and what its taps gave. */
function recordingHost(): TapHost & { readonly opened: TapSpec[]; readonly results: { spec: TapSpec; result: unknown }[] } {
  const opened: TapSpec[] = [];
  const results: { spec: TapSpec; result: unknown }[] = [];
  return {
    opened,
    results,
    open: (spec) => {
      opened.push(spec);
      const tap = createTap(spec);
      return {
        push: (frames) => tap.push(frames),
        result: () => {
          const result = tap.result();
          results.push({ spec, result });
          return result;
        },
      };
    },
  };
}

for (const eqMode of EQ_MODES) {
  test(`${eqMode}: with a tap host the probes' passes hand it their taps too, and the master is the same bit for bit`, async () => {
    const target = await decoded('indie_pop/target.wav');
    const reference = analyzeTrack(await decoded('indie_pop/reference.wav'));
    const analysis = analyzeTrack(target);
    const render = (tapHost?: TapHost) => {
      const copy = target.channels.map((samples) => samples.slice());
      const { diagnostics } = masterStore({ store: memoryTrackStore(copy, target.sampleRateHz), analysis, clipping: countClippedRuns(copy) }, reference, { eqMode, tapHost });
      return { copy, diagnostics };
    };
    const here = render();
    const host = recordingHost();
    const hosted = render(host);
    here.copy.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(hosted.copy[c].buffer)), `channel ${c} bit for bit`));
    assert.equal(withoutTimings(hosted.diagnostics), withoutTimings(here.diagnostics));
    // The full render's last pass takes the output's width there; each probe render's last pass takes its own.
    const widths = host.opened.filter((spec) => spec.kind === 'stereo-width').length;
    assert.ok(widths >= 2, `${widths} width taps on the host: the probe's among them`);
  });
}

test('fixed: with the probe\'s rider planned on the host, the equalised track\'s width is taken in a pass after the equaliser\'s, so the plan starts first; the master is the same bit for bit', async () => {
  const target = await decoded('indie_pop/target.wav');
  const reference = analyzeTrack(await decoded('indie_pop/reference.wav'));
  const analysis = analyzeTrack(target);
  const render = (tapHost?: TapHost) => {
    const copy = target.channels.map((samples) => samples.slice());
    const store = memoryTrackStore(copy, target.sampleRateHz);
    // A pass reads from frame 0 on (a pass that writes reads each block again to show it to its taps).
    let passes = 0;
    let lastStart = -1;
    const counting = {
      ...store,
      read: (start: number, count: number) => {
        passes += start === 0 && lastStart !== 0 ? 1 : 0;
        lastStart = start;
        return store.read(start, count);
      },
    };
    const plan = { lastFrameAtPass: -1, askedAtPass: -1 };
    const host: TapHost | undefined = tapHost && {
      open(spec) {
        const tap = tapHost.open(spec);
        if (spec.kind !== 'rider-plan') return tap;
        let frames = 0;
        return {
          push(block) {
            tap.push(block);
            frames += block[0].length;
            if (frames === spec.length) plan.lastFrameAtPass = passes;
          },
          result: () => ((plan.askedAtPass = plan.askedAtPass < 0 ? passes : plan.askedAtPass), tap.result()),
        };
      },
    };
    masterStore({ store: counting, analysis, clipping: countClippedRuns(copy) }, reference, { eqMode: 'fixed', tapHost: host });
    return { copy, plan };
  };
  const here = render();
  const hosted = render(recordingHost());
  here.copy.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(hosted.copy[c].buffer)), `channel ${c} bit for bit`));
  assert.is(hosted.plan.lastFrameAtPass, 1, 'the plan had the equalised track at the end of the first pass');
  // Between them: the width's own pass, then the probe reading its excerpt (from the start); with the width in the first pass, only the latter.
  assert.is(hosted.plan.askedAtPass, 3, 'the width pass ran over the whole track before the probe asked for the plan');
});

for (const eqMode of EQ_MODES) {
  test(`${eqMode}: while the host plans the probe's rider, no other tap waits there: until the plan is asked for, only the plan's own tap is opened on it; the master is the same bit for bit`, async () => {
    const target = await decoded('indie_pop/target.wav');
    const reference = analyzeTrack(await decoded('indie_pop/reference.wav'));
    const analysis = analyzeTrack(target);
    const opened: { kind: string; planAsked: boolean }[] = [];
    let planAsked = false;
    const host: TapHost = {
      open(spec) {
        opened.push({ kind: spec.kind, planAsked });
        const tap = createTap(spec);
        return spec.kind === 'rider-plan' ? { push: (block) => tap.push(block), result: () => ((planAsked = true), tap.result()) } : tap;
      },
    };
    const render = (tapHost?: TapHost) => {
      const copy = target.channels.map((samples) => samples.slice());
      masterStore({ store: memoryTrackStore(copy, target.sampleRateHz), analysis, clipping: countClippedRuns(copy) }, reference, { eqMode, tapHost });
      return copy;
    };
    const here = render();
    const hosted = render(host);
    here.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(hosted[c].buffer)), `channel ${c} bit for bit`));
    const before = opened.filter((entry) => !entry.planAsked).map((entry) => entry.kind);
    assert.equal(before, ['rider-plan'], 'only the plan before it is asked for');
    assert.ok(opened.some((entry) => entry.planAsked && entry.kind === 'stereo-width'), 'width taps on the host once the plan is in');
  });
}

/** `channels` copied into shared memory (as the CLI keeps its working copy beside a tap thread). */
function inSharedMemory(channels: readonly Float32Array[]): Float32Array[] {
  return channels.map((samples) => {
    const copy = new Float32Array(new SharedArrayBuffer(samples.length * Float32Array.BYTES_PER_ELEMENT));
    copy.set(samples);
    return copy;
  });
}

/**
 * A host that takes its taps here and measures "in the background" only when
 * the result is asked for, from the channels as they are then: a render that
 * wrote the track before asking would measure what it wrote.
 */
function lazyMeasuringHost(): TapHost & { readonly measured: { spec: TapSpec; channels: readonly Float32Array[] }[] } {
  const measured: { spec: TapSpec; channels: readonly Float32Array[] }[] = [];
  return {
    measured,
    open: createTap,
    measureShared(spec, channels, blockFrames) {
      measured.push({ spec, channels });
      return {
        result() {
          const tap = createTap(spec);
          for (let start = 0; start < channels[0].length; start += blockFrames) tap.push(channels.map((samples) => samples.subarray(start, start + blockFrames)));
          return tap.result();
        },
      };
    },
  };
}

test("fixed: with the track in shared memory, the host measures the equalised track's side spectrum from there after the equaliser's pass and the mid spectrum is taken here; the master and its report are the same bit for bit", async () => {
  const target = await decoded('indie_pop/target.wav');
  const reference = analyzeTrack(await decoded('indie_pop/reference.wav'));
  const analysis = analyzeTrack(target);
  const render = (channels: Float32Array[], tapHost?: TapHost) => {
    const { diagnostics } = masterStore({ store: memoryTrackStore(channels, target.sampleRateHz), analysis, clipping: countClippedRuns(channels) }, reference, { eqMode: 'fixed', tapHost });
    return { channels, diagnostics };
  };
  const here = render(target.channels.map((samples) => samples.slice()));
  const host = lazyMeasuringHost();
  const shared = render(inSharedMemory(target.channels), host);
  here.channels.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(shared.channels[c].buffer)), `channel ${c} bit for bit`));
  assert.equal(withoutTimings(shared.diagnostics), withoutTimings(here.diagnostics));
  assert.is(host.measured.length, 1, 'one measurement from shared memory');
  assert.is(host.measured[0].spec.kind, 'side-spectrum');
  assert.ok(host.measured[0].channels.every((samples, c) => samples === shared.channels[c]), "measured in the render's own working copy");

  // The track in memory no other thread can read: the width is taken here, in a pass of its own.
  const unshared = lazyMeasuringHost();
  const plain = render(target.channels.map((samples) => samples.slice()), unshared);
  assert.is(unshared.measured.length, 0);
  here.channels.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(plain.channels[c].buffer)), `channel ${c} bit for bit`));
});

test("the loudness search's first pass, whose only stage is the rider's gains, takes the K-weighting on the host and the sample peaks here; the output is the same bit for bit", async () => {
  const target = await decoded('indie_pop/target.wav');
  const { sampleRateHz } = target;
  const length = target.channels[0].length;
  const riderGains = Float32Array.from({ length: Math.ceil(length / GAIN_BLOCK) + 1 }, (_, b) => 0.6 + 0.4 * Math.sin(b / 700));
  const converge = (tapHost?: TapHost) => {
    const copy = target.channels.map((samples) => samples.slice());
    const settings = { goalLufs: -10, limiter: createLimiter({ sampleRateHz, ceilingDbtp: -0.9, lookaheadMs: 3, releaseMs: 150 }), truePeakCeilingDbtp: -1, toleranceDb: 0.3, maxCorrectionDb: 1.5 };
    const result = convergeLoudness(memoryTrackStore(copy, sampleRateHz), settings, true, { tapHost, before: [createGainRider(riderGains).stream()] });
    return { copy, result };
  };
  const here = converge();
  const host = recordingHost();
  const hosted = converge(host);
  here.copy.forEach((samples, c) => assert.ok(Buffer.from(samples.buffer).equals(Buffer.from(hosted.copy[c].buffer)), `channel ${c} bit for bit`));
  assert.equal(hosted.result.rounds, here.result.rounds);
  const kinds = host.opened.map((spec) => spec.kind);
  assert.ok(kinds.includes('kweighted-energy'), `on the host: ${kinds.join(', ')}`);
  assert.ok(kinds.includes('output-meter'), `on the host: ${kinds.join(', ')}`);
  assert.not.ok(kinds.includes('sample-peaks'), `on the host: ${kinds.join(', ')}`);
  // Every measuring round's whole meter (K-weighting and true peak) is on the host, beside the limiter here.
  const meters = host.results.filter(({ spec }) => spec.kind === 'output-meter').map(({ result }) => result as LoudnessResult);
  assert.is(meters.length, hosted.result.rounds.length, 'a meter on the host for each round');
  meters.forEach((figures, round) => {
    assert.ok(figures.integratedLufs !== null && figures.loudnessRangeLu !== null, `round ${round}: the host's meter gave the K-weighted figures`);
    assert.is(figures.truePeakDbtp, hosted.result.rounds[round].truePeakDbtp, `round ${round}: and the true peak`);
  });
  assert.equal(hosted.result.output, here.result.output);
});

test.run();
