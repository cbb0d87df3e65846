// The widener's pass split in two (core/mastering/split-widener-pass.ts): the
// part from a block boundary on, started there with a copy of the input
// before it to settle on, and the part before it, finished with a copy of the
// input after it, write together what the whole pass writes, bit for bit, and
// the guard's share and the taps' figures are the whole pass's too. Here the
// other part runs in turn on this thread (a host that widens at once); the
// tap thread's own run is in test/runtimes/tap-thread.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { createStereoWidener, type StereoWidener } from '../../core/dsp/stereo-widener.ts';
import { createTap, LOCAL_TAPS, type TapHost } from '../../core/mastering/tap-host.ts';
import { runPass } from '../../core/mastering/render-pass.ts';
import { runSplitWidenerPass, widenerSplit, widenPartFrom } from '../../core/mastering/split-widener-pass.ts';

const rate = 44100;

/** Stereo with passages whose side outweighs the mid once widened (the guard holds them back) and others it does not. */
function stereoMusic(length: number): Float32Array[] {
  let state = 2024;
  const noise = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  const left = new Float32Array(length);
  const right = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const common = 0.15 * Math.sin((2 * Math.PI * 330 * i) / rate) + 0.05 * noise();
    // Every ~1.5 s the channels drift apart: the side swells towards the mid.
    const apart = 0.5 + 0.5 * Math.sin(i / (0.25 * rate));
    const own = 0.3 * noise();
    left[i] = common + apart * own;
    right[i] = common - apart * own;
  }
  return [left, right];
}

function inSharedMemory(channels: readonly Float32Array[]): Float32Array[] {
  return channels.map((samples) => {
    const copy = new Float32Array(new SharedArrayBuffer(samples.byteLength));
    copy.set(samples);
    return copy;
  });
}

const widener = (): StereoWidener => createStereoWidener({ sampleRateHz: rate, sideGainDbAt: (hz) => (hz < 150 ? 0 : 9), firSeconds: 0.093 });

/** A host that widens the other part at once, here (the parts never touch each other's input: each has its copy). */
const widensHere: TapHost = { ...LOCAL_TAPS, widenShared: (channels, part) => ({ result: ((tally) => () => tally)(widenPartFrom(channels, part)) }) };

for (const blockFrames of [4096, 16384, 65536]) {
  test(`split at a block boundary, the two parts write what the whole pass writes, bit for bit; the guard's share and the taps' figures are the same (blocks of ${blockFrames})`, () => {
    const length = 40 * rate + 777;
    const input = stereoMusic(length);
    const whole = input.map((samples) => samples.slice());
    const wholeTap = createTap({ kind: 'kweighted-energy', sampleRateHz: rate, channelCount: 2, length });
    const wholeStream = widener().stream();
    runPass(memoryTrackStore(whole, rate), [wholeStream], [wholeTap], { write: true, blockFrames });
    const wholeReport = wholeStream.report();
    assert.ok(wholeReport.guardedFraction > 0.05 && wholeReport.guardedFraction < 0.95, `the guard holds some blocks back and not others (${wholeReport.guardedFraction})`);

    const channels = inSharedMemory(input);
    const store = memoryTrackStore(channels, rate);
    const stage = widener();
    const split = widenerSplit(store, stage, widensHere, blockFrames, true);
    assert.ok(split, 'a long shared stereo track splits');
    assert.ok(split!.from > 0 && split!.from < length && split!.from % blockFrames === 0);
    const tap = createTap({ kind: 'kweighted-energy', sampleRateHz: rate, channelCount: 2, length });
    const report = runSplitWidenerPass(store, stage, split!, [tap], blockFrames);
    assert.equal(report, wholeReport);
    channels.forEach((samples, c) => {
      const differing = samples.findIndex((value, i) => !Object.is(value, whole[c][i]));
      assert.is(differing, -1, `channel ${c} differs from frame ${differing} (split at ${split!.from})`);
    });
    assert.equal(tap.result(), wholeTap.result());
  });
}

test("a stream started mid-track (inside a guard block), fed on the whole track's blocks, puts out once settled what the whole track's stream puts out there", () => {
  const length = 20 * rate;
  const block = 4096;
  const input = stereoMusic(length);
  const stage = widener();
  const whole = input.map((samples) => samples.slice());
  runPass(memoryTrackStore(whole, rate), [stage.stream()], [], { write: true, blockFrames: block });
  const start = 70 * block;
  const part = input.map((samples) => samples.slice(start));
  const stream = stage.stream(start);
  const out: Float32Array[] = [new Float32Array(length - start), new Float32Array(length - start)];
  let written = 0;
  const emit = (frames: readonly Float32Array[]) => {
    frames.forEach((samples, c) => out[c].set(samples, written));
    written += frames[0].length;
  };
  for (let at = 0; at < part[0].length; at += block) emit(stream.push(part.map((samples) => samples.subarray(at, at + block))));
  emit(stream.finish());
  assert.is(written, length - start, 'a stream from a frame puts out as many frames as it takes');
  const settled = stage.settleFrames;
  for (let c = 0; c < 2; c++) {
    const differing = out[c].subarray(settled).findIndex((value, i) => !Object.is(value, whole[c][start + settled + i]));
    assert.is(differing, -1, `channel ${c} differs ${differing} frames after settling`);
  }
});

test('no split: a store outside shared memory, a host that cannot widen, a track of few blocks, or mono', () => {
  const length = 40 * rate;
  const input = stereoMusic(length);
  const stage = widener();
  assert.is(widenerSplit(memoryTrackStore(input, rate), stage, widensHere, 65536, true), null);
  assert.is(widenerSplit(memoryTrackStore(inSharedMemory(input), rate), stage, LOCAL_TAPS, 65536, true), null);
  assert.is(widenerSplit(memoryTrackStore(inSharedMemory(input), rate), stage, undefined, 65536, true), null);
  assert.is(widenerSplit(memoryTrackStore(inSharedMemory(input.map((samples) => samples.subarray(0, 5 * 65536))), rate), stage, widensHere, 65536, true), null);
  assert.is(widenerSplit(memoryTrackStore(inSharedMemory([input[0]]), rate), stage, widensHere, 65536, true), null);
});

test('a part that cannot run says so in its progress (−1) and throws; one that runs reports each frame it has written', () => {
  const length = 10 * 65536;
  const channels = inSharedMemory(stereoMusic(length));
  const stage = widener();
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const settle = inSharedMemory(channels.map((samples) => samples.slice(65536, 2 * 65536)));
  assert.throws(() => widenPartFrom(channels, { taps: stage.taps, sampleRateHz: rate, from: 2 * 65536 + 1, blockFrames: 65536, settle, progress }), /starts on the pass's blocks/);
  assert.is(Atomics.load(progress, 0), -1);
  const tally = widenPartFrom(channels, { taps: stage.taps, sampleRateHz: rate, from: 2 * 65536, blockFrames: 65536, settle, progress });
  assert.is(Atomics.load(progress, 0), length);
  assert.ok(tally.closed > 0 && tally.guarded <= tally.closed);
});

test("a part that fails or stops without a word fails the pass: the taps' wait for its frames asks for its result instead of hanging", () => {
  const length = 40 * rate;
  for (const [what, widenShared] of [
    ['fails', (_channels: readonly Float32Array[], part: { readonly progress?: Int32Array }) => {
      Atomics.store(part.progress!, 0, -1);
      return { result: () => { throw new Error('the part failed'); } };
    }],
    ['goes quiet', () => ({ result: () => { throw new Error('the tap thread stopped answering'); } })],
  ] as const) {
    const channels = inSharedMemory(stereoMusic(length));
    const store = memoryTrackStore(channels, rate);
    const stage = widener();
    const host: TapHost = { ...LOCAL_TAPS, widenShared };
    const split = widenerSplit(store, stage, host, 65536, true)!;
    const tap = createTap({ kind: 'kweighted-energy', sampleRateHz: rate, channelCount: 2, length });
    const started = Date.now();
    assert.throws(() => runSplitWidenerPass(store, stage, split, [tap], 65536), /the part failed|stopped answering/, what);
    assert.ok(Date.now() - started < 30_000, `${what}: failed in ${Date.now() - started} ms`);
  }
});

test.run();
