// Render taps on their own thread (runtimes/node/tap-thread.ts): every kind
// of tap gives what it gives on the render's thread, bit for bit, for blocks
// of any size (larger than a slot too), two taps sharing each block, far more
// blocks than the thread may lag behind; a failing tap, an unknown kind and a
// thread that cannot start or stops answering fail cleanly instead of hanging.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTap, type TapSpec } from '../../core/mastering/tap-host.ts';
import { LIMITER_TIMING } from '../../core/mastering/profiles.ts';
import type { Frames, StreamTap } from '../../core/dsp/stream-stage.ts';
import { startTapThread } from '../../runtimes/node/tap-thread.ts';
import { spawnTapWorker, TAP_WORKER_URL } from '../../runtimes/node/tap-thread-spawn.ts';
import { REQUESTS_SENT, type TapThreadRequest } from '../../runtimes/node/tap-thread-messages.ts';
import { simdEnabled } from '../../core/wasm/simd-module.ts';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { createStereoWidener } from '../../core/dsp/stereo-widener.ts';
import { runPass } from '../../core/mastering/render-pass.ts';
import { runSplitWidenerPass, widenerSplit } from '../../core/mastering/split-widener-pass.ts';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../support/processes.ts';

function music(sampleRateHz: number, length: number, channelCount: number): Float32Array[] {
  let state = 12345;
  const noise = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  return Array.from({ length: channelCount }, (_, c) =>
    Float32Array.from({ length }, (_, i) => 0.5 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / sampleRateHz) * (1 + Math.sin(i / 9000)) + 0.2 * noise()),
  );
}

/** Feeds `channels` in blocks of the given sizes (cycling) to every tap, each block to all of them in turn, as a render pass does. */
function feed(taps: readonly StreamTap<unknown>[], channels: readonly Float32Array[], sizes: readonly number[]) {
  const length = channels[0].length;
  for (let start = 0, k = 0; start < length; k++) {
    const end = Math.min(length, start + sizes[k % sizes.length]);
    const block: Frames = channels.map((samples) => samples.subarray(start, end));
    for (const tap of taps) tap.push(block);
    // The render may overwrite its block once the taps have had it.
    block.forEach((samples) => samples.fill(Number.NaN));
    start = end;
  }
}

/** Runs test/runtimes/workers/`name`.ts in a fresh process; it must exit 0. */
function runScript(name: string) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `test/runtimes/workers/${name}.ts`], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.is(run.status, 0, `${name}: ${run.signal ?? ''} ${run.stderr}`);
  return run;
}

const rate = 44100;

/** Whether `promise` settles within `ms` (a test that would otherwise wait forever fails instead). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
const length = 9 * rate + 321;
const specs: TapSpec[] = [
  { kind: 'kweighted-energy', sampleRateHz: rate, channelCount: 2, length },
  { kind: 'sample-peaks', length },
  { kind: 'stereo-width', sampleRateHz: rate, channelCount: 2, length },
  { kind: 'output-meter', sampleRateHz: rate, channelCount: 2 },
  // Aiming at a narrower range than the music has, so the plan rides (its gains cross the thread too).
  { kind: 'rider-plan', sampleRateHz: rate, channelCount: 2, length, settings: { timing: LIMITER_TIMING, ceilingLinear: 0.89, goalLufs: -12, goalLraLu: 0.5, maxGainDb: 40 } },
];

test('each kind of tap on the thread gives the result it gives here, bit for bit, two taps sharing each block, blocks of 1000 to 70000 frames', async () => {
  const thread = startTapThread({ maxBlocksAhead: 2 });
  try {
    const host = await thread.ready;
    assert.ok(host, 'the thread started');
    const sizes = [4096, 1000, 70000, 65536, 17];
    for (let i = 0; i < specs.length; i++) {
      const pair = [specs[i], specs[(i + 1) % specs.length]];
      const local = pair.map((spec) => createTap(spec));
      feed(local, music(rate, length, 2), sizes);
      const remote = pair.map((spec) => host!.open(spec));
      feed(remote, music(rate, length, 2), sizes);
      pair.forEach((spec, k) => assert.equal(remote[k].result(), local[k].result(), `${spec.kind} (with ${pair[1 - k].kind})`));
      // Asked again, the same answer.
      assert.equal(remote[0].result(), local[0].result());
    }
  } finally {
    await thread.close();
  }
});

test('a tap that fails on the thread fails its result with the error; an unknown kind too; the others go on', async () => {
  const thread = startTapThread();
  try {
    const host = (await thread.ready)!;
    const meter = host.open({ kind: 'output-meter', sampleRateHz: rate, channelCount: 3 });
    const unknown = host.open({ kind: 'no-such-tap' } as unknown as TapSpec);
    const peaks = host.open({ kind: 'sample-peaks', length: 5000 });
    const local = createTap({ kind: 'sample-peaks', length: 5000 });
    feed([meter, unknown, peaks], music(rate, 5000, 2), [1024]);
    feed([local], music(rate, 5000, 2), [1024]);
    assert.throws(() => meter.result(), /expected 3 channels, got 2/);
    assert.throws(() => unknown.result(), /no tap of kind no-such-tap/);
    assert.equal(peaks.result(), local.result());
  } finally {
    await thread.close();
  }
});

/** `channels` copied into shared memory, as the CLI keeps its working copy beside the thread. */
function shared(channels: readonly Float32Array[]): Float32Array[] {
  return channels.map((samples) => {
    const copy = new Float32Array(new SharedArrayBuffer(samples.length * Float32Array.BYTES_PER_ELEMENT));
    copy.set(samples);
    return copy;
  });
}

test('a track in shared memory is measured on the thread as a pass here measures it, bit for bit; taps opened after it are answered meanwhile', async () => {
  const thread = startTapThread();
  try {
    const host = (await thread.ready)!;
    const track = shared(music(rate, length, 2));
    for (const [spec, blockFrames] of [
      [{ kind: 'side-spectrum', sampleRateHz: rate, length }, 65536],
      [{ kind: 'stereo-width', sampleRateHz: rate, channelCount: 2, length }, 4096],
    ] as const) {
      const measuring = host.measureShared!(spec, track, blockFrames);
      // Opened after the measurement: the thread answers it too (first, where the measurement is not done).
      const peaks = host.open({ kind: 'sample-peaks', length });
      const localPeaks = createTap({ kind: 'sample-peaks', length });
      feed([localPeaks], music(rate, length, 2), [8192]);
      feed([peaks], music(rate, length, 2), [8192]);
      assert.equal(peaks.result(), localPeaks.result());
      const local = createTap(spec);
      feed([local], track.map((samples) => samples.slice()), [blockFrames]);
      assert.equal(measuring.result(), local.result(), spec.kind);
      // Asked again, the same answer.
      assert.equal(measuring.result(), local.result());
    }
  } finally {
    await thread.close();
  }
});

test("a working copy from the thread: its written regions go to the taps where they lie, and changing them in place waits until the thread has measured them", async () => {
  // Far ahead allowed, and a slow tap: the render would overwrite blocks the thread has not measured yet.
  const thread = startTapThread({ maxBlocksAhead: 64 });
  try {
    const host = (await thread.ready)!;
    const store = thread.workingCopy({ sampleRateHz: rate, channelCount: 2, length });
    const input = music(rate, length, 2);
    const spec = { kind: 'stereo-width', sampleRateHz: rate, channelCount: 2, length } as const;
    const remote = host.open(spec);
    const block = 4096;
    // A pass that writes: each block changed in place, then shown to the tap as the store's own region.
    for (let start = 0; start < length; start += block) {
      store.prepareWrite!(start, block);
      store.read(start, block).forEach((samples, c) => samples.set(input[c].subarray(start, start + samples.length)));
      remote.push(store.read(start, block));
    }
    // The next pass writes over every block before the tap's result is asked for
    // (with a level no music here reaches: the kernels, vector or scalar, agree on it, as they need not on NaN).
    const overwritten = 8;
    for (let start = 0; start < length; start += block) {
      store.prepareWrite!(start, block);
      store.read(start, block).forEach((samples) => samples.fill(overwritten));
    }
    const local = createTap(spec);
    feed([local], input, [block]);
    assert.equal(remote.result(), local.result(), 'measured before it was written over');
    // A tap opened afterwards gets the new contents, handed over likewise.
    const peaks = host.open({ kind: 'sample-peaks', length });
    for (let start = 0; start < length; start += block) peaks.push(store.read(start, block));
    assert.ok(peaks.result().every((peak: number) => peak === overwritten), 'the peaks of what the second pass wrote');
  } finally {
    await thread.close();
  }
});

test('measuring refuses channels outside shared memory; a measurement of an unknown kind fails its result and the thread goes on', async () => {
  const thread = startTapThread();
  try {
    const host = (await thread.ready)!;
    assert.throws(() => host.measureShared!({ kind: 'side-spectrum', sampleRateHz: rate, length: 1000 }, music(rate, 1000, 2), 1024), /shared memory/);
    const unknown = host.measureShared!({ kind: 'no-such-tap' } as unknown as TapSpec, shared(music(rate, 1000, 2)), 1024);
    const unevenTrack = [...shared(music(rate, 1000, 1)), ...shared(music(rate, 999, 1))];
    const uneven = host.measureShared!({ kind: 'side-spectrum', sampleRateHz: rate, length: 1000 }, unevenTrack, 1024);
    assert.throws(() => unknown.result(), /no tap of kind no-such-tap/);
    assert.throws(() => uneven.result(), /differ in length/);
    const peaks = host.open({ kind: 'sample-peaks', length: 5000 });
    const local = createTap({ kind: 'sample-peaks', length: 5000 });
    feed([peaks], music(rate, 5000, 2), [1024]);
    feed([local], music(rate, 5000, 2), [1024]);
    assert.equal(peaks.result(), local.result());
  } finally {
    await thread.close();
  }
});

test('a thread that cannot start gives no host; one that stops answering fails the result after the stall limit instead of hanging', async () => {
  const missing = startTapThread({ workerUrl: new URL('./no-such-tap-worker.mjs', import.meta.url) });
  assert.is(await missing.ready, null);
  await missing.close();

  const thread = startTapThread({ stallMs: 300 });
  const host = (await thread.ready)!;
  const tap = host.open({ kind: 'sample-peaks', length: 1000 });
  tap.push(music(rate, 1000, 1));
  await thread.close();
  const started = performance.now();
  assert.throws(() => tap.result(), /the tap thread stopped answering/);
  assert.ok(performance.now() - started < 5000, 'failed within the stall limit');
});

test('warming pages a buffer in on the thread, leaving what is written there, also while a tap is open once the thread has nothing to do', async () => {
  const thread = startTapThread();
  try {
    await thread.ready;
    const pages = 4096;
    const buffer = new SharedArrayBuffer(pages * 4096);
    const floats = new Float32Array(buffer);
    floats[5] = 0.25;
    floats[floats.length - 1] = -1;
    // An open tap whose requests have all been handled leaves the thread idle: it warms then.
    const host = (await thread.ready)!;
    const tap = host.open({ kind: 'sample-peaks', length: 1000 });
    tap.push(music(rate, 1000, 1));
    const warmed = await settlesWithin(thread.warm(buffer), 10_000);
    tap.result();
    assert.ok(warmed, 'warmed with the tap open');
    assert.is(floats[5], 0.25);
    assert.is(floats[floats.length - 1], -1);
    assert.is(floats[4096], 0);
  } finally {
    await thread.close();
  }
  // A closed thread warms nothing and says so at once.
  await thread.warm(new SharedArrayBuffer(4096));
});

test('the thread warms nothing while a request it has been told of has not come, and resumes once it has', async () => {
  const { worker, signal, loaded } = spawnTapWorker(TAP_WORKER_URL, { simd: simdEnabled(), nice: 0 });
  // Held open while the test waits for it (a spawned thread is not).
  worker.ref();
  try {
    assert.is(await loaded, null);
    const warmed = new Promise<void>((resolve) => worker.on('message', (message: { type?: string }) => message.type === 'warmed' && resolve()));
    const post = (request: TapThreadRequest) => {
      Atomics.add(signal, REQUESTS_SENT, 1);
      worker.postMessage(request);
    };
    post({ op: 'open', id: 1, spec: { kind: 'sample-peaks', length: 1000 } });
    // Counted, not yet posted: the render's thread is between the two.
    Atomics.add(signal, REQUESTS_SENT, 1);
    worker.postMessage({ op: 'warm', id: 1, buffer: new SharedArrayBuffer(64 * 4096) } satisfies TapThreadRequest);
    assert.is(await settlesWithin(warmed, 300), false, 'nothing warmed while a request is on its way');
    const block = new SharedArrayBuffer(1000 * 4);
    new Float32Array(block).set(music(rate, 1000, 1)[0]);
    worker.postMessage({ op: 'push', id: 1, block: { buffer: block, channels: 1, frames: 1000 } } satisfies TapThreadRequest);
    assert.ok(await settlesWithin(warmed, 10_000), 'warmed once the request came, with the tap still open');
  } finally {
    await worker.terminate();
  }
});

test('the thread measures a shared track in its idle turns, unasked, before it warms; neither while a request it has been told of has not come', async () => {
  const { worker, signal, loaded } = spawnTapWorker(TAP_WORKER_URL, { simd: simdEnabled(), nice: 0 });
  worker.ref();
  try {
    assert.is(await loaded, null);
    const warmed = new Promise<void>((resolve) => worker.on('message', (message: { type?: string }) => message.type === 'warmed' && resolve()));
    const post = (request: TapThreadRequest) => {
      Atomics.add(signal, REQUESTS_SENT, 1);
      worker.postMessage(request);
    };
    const track = shared(music(rate, length, 2));
    const channels = track.map((samples) => ({ buffer: samples.buffer as SharedArrayBuffer, byteOffset: samples.byteOffset, length: samples.length }));
    post({ op: 'measure', id: 1, spec: { kind: 'side-spectrum', sampleRateHz: rate, length }, channels, blockFrames: 65536 });
    // Counted, not yet posted: the render's thread is between the two.
    Atomics.add(signal, REQUESTS_SENT, 1);
    // Warming waits for the measurement, which waits for the request.
    worker.postMessage({ op: 'warm', id: 1, buffer: new SharedArrayBuffer(64 * 4096) } satisfies TapThreadRequest);
    assert.is(await settlesWithin(warmed, 300), false, 'nothing measured or warmed while a request is on its way');
    worker.postMessage({ op: 'open', id: 2, spec: { kind: 'sample-peaks', length: 1000 } } satisfies TapThreadRequest);
    // No result asked for: the measurement finishes in idle turns, and the warming after it.
    assert.ok(await settlesWithin(warmed, 20_000), 'measured, then warmed, once the request came');
  } finally {
    await worker.terminate();
  }
});

test('a warmed buffer is written without page faults; a cold one faults page by page (in a fresh process, 64 MiB buffers the allocator maps anew)', () => {
  const run = runScript('warm-page-faults');
  const { pages, warmFaults, coldFaults } = JSON.parse(run.stdout) as { pages: number; warmFaults: number; coldFaults: number };
  assert.ok(coldFaults > pages / 2, `a cold buffer: ${coldFaults} faults for ${pages} pages`);
  assert.ok(warmFaults < pages / 10, `a warmed buffer: ${warmFaults} faults for ${pages} pages`);
});

test('closing a thread whose warming answer is still queued finishes, and so does its process', () => {
  const run = runScript('close-while-warming');
  assert.match(run.stdout, /^closed/);
});

test('a tap thread left open and idle does not keep its process alive', () => {
  const run = runScript('idle-tap-thread');
  assert.match(run.stdout, /^peaks 0\.5/);
});

test("the thread widens the part of a shared track from a block on while this thread widens the part before it: the whole pass's master, report and programme loudness, bit for bit; a part that cannot run fails its result", async () => {
  const thread = startTapThread();
  try {
    const host = (await thread.ready)!;
    const trackLength = 30 * rate + 99;
    const blockFrames = 16384;
    const makeWidener = () => createStereoWidener({ sampleRateHz: rate, sideGainDbAt: (hz) => (hz < 150 ? 0 : 8), firSeconds: 0.093 });
    const input = music(rate, trackLength, 2);
    const whole = input.map((samples) => samples.slice());
    const wholeStream = makeWidener().stream();
    const wholeTap = createTap({ kind: 'kweighted-energy', sampleRateHz: rate, channelCount: 2, length: trackLength });
    runPass(memoryTrackStore(whole, rate), [wholeStream], [wholeTap], { write: true, blockFrames });

    const store = thread.workingCopy({ sampleRateHz: rate, channelCount: 2, length: trackLength });
    store.write(0, input);
    const widener = makeWidener();
    const split = widenerSplit(store, widener, host, blockFrames, true);
    assert.ok(split, 'a working copy from the thread splits');
    const tap = createTap({ kind: 'kweighted-energy', sampleRateHz: rate, channelCount: 2, length: trackLength });
    assert.equal(runSplitWidenerPass(store, widener, split!, [tap], blockFrames), wholeStream.report());
    const written = store.read(0, trackLength);
    for (let c = 0; c < 2; c++) assert.is(written[c].findIndex((value, i) => !Object.is(value, whole[c][i])), -1, `channel ${c}`);
    assert.equal(tap.result(), wholeTap.result());

    const channels = shared(input);
    const settle = shared(input.map((samples) => samples.slice(0, blockFrames)));
    assert.throws(() => host.widenShared!(channels, { taps: widener.taps, sampleRateHz: rate, from: blockFrames, blockFrames, settle: input }), /shared memory/);
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const failing = host.widenShared!(channels, { taps: widener.taps, sampleRateHz: rate, from: blockFrames + 1, blockFrames, settle, progress });
    assert.throws(() => failing.result(), /starts on the pass's blocks/);
    assert.is(Atomics.load(progress, 0), -1);
    // The thread goes on.
    const peaks = host.open({ kind: 'sample-peaks', length: trackLength });
    const localPeaks = createTap({ kind: 'sample-peaks', length: trackLength });
    feed([peaks], input, [blockFrames]);
    feed([localPeaks], music(rate, trackLength, 2), [blockFrames]);
    assert.equal(peaks.result(), localPeaks.result());
  } finally {
    await thread.close();
  }
});

test.run();
