import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryTrackStore, type TrackStore } from '../../core/audio/pcm-source.ts';
import { decodeAudio } from '../../core/audio/decode.ts';
import { countClippedRuns } from '../../core/dsp/clipped-runs.ts';
import type { Frames } from '../../core/dsp/stream-stage.ts';
import { analyzeTrack } from '../../core/mastering/analysis.ts';
import { masterStore } from '../../core/mastering/master.ts';
import { fixturePath } from '../support/fixtures.ts';
import { withoutTimings } from '../support/without-timings.ts';

// A sink takes the master as the last pass produces it. A store in memory is
// written over too (the last pass renders in the store's own blocks, with no
// copy of each block to render into); a store that keeps its frames
// elsewhere (a file) is not: the sink is all that is wanted there.

async function decoded(path: string) {
  return decodeAudio(new Uint8Array(readFileSync(fixturePath(path))), { filename: path, keepChannels: true });
}

/** A store over `channels` that is not a memory store to the render (as a file-backed one): reads are copies, writes copy in. */
function copyingStore(channels: Float32Array[], sampleRateHz: number): TrackStore & { readonly writes: { count: number } } {
  const inner = memoryTrackStore(channels, sampleRateHz);
  const writes = { count: 0 };
  return {
    sampleRateHz,
    channelCount: inner.channelCount,
    length: inner.length,
    writes,
    read: (start, count) => inner.read(start, count).map((samples) => samples.slice()),
    write(start, frames) {
      writes.count++;
      inner.write(start, frames);
    },
    close() {},
  };
}

function collect(length: number, channelCount: number) {
  const channels = Array.from({ length: channelCount }, () => new Float32Array(length));
  let at = 0;
  return {
    channels,
    sink: (frames: Frames) => {
      frames.forEach((samples, c) => channels[c].set(samples, at));
      at += frames[0].length;
    },
    received: () => at,
  };
}

/** The indie_pop pair, and the target mastered in place with no sink: the master the sinks below are to take. */
async function pairAndPlainMaster() {
  const target = await decoded('indie_pop/target.wav');
  const reference = analyzeTrack(await decoded('indie_pop/reference.wav'));
  const analysis = analyzeTrack(target);
  const written = target.channels.map((samples) => samples.slice());
  const { diagnostics } = masterStore({ store: memoryTrackStore(written, target.sampleRateHz), analysis, clipping: countClippedRuns(written) }, reference, { eqMode: 'fixed' });
  return { target, reference, analysis, master: written, diagnostics };
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('with a sink, a store in memory ends holding the master the sink took, the same as the render without a sink writes', async () => {
  const { target, reference, analysis, master, diagnostics } = await pairAndPlainMaster();
  const sunk = target.channels.map((samples) => samples.slice());
  const sink = collect(target.channels[0].length, sunk.length);
  const sinking = masterStore({ store: memoryTrackStore(sunk, target.sampleRateHz), analysis, clipping: countClippedRuns(sunk) }, reference, { eqMode: 'fixed', sink: sink.sink });
  assert.is(sink.received(), target.channels[0].length);
  master.forEach((samples, c) => {
    assert.ok(sameBits(sink.channels[c], samples), `channel ${c}: the sink took the master bit for bit`);
    assert.ok(sameBits(sunk[c], samples), `channel ${c}: the store holds it too`);
  });
  assert.equal(withoutTimings(sinking.diagnostics), withoutTimings(diagnostics));
});

test('with a sink, a store that is not in memory is not written by the last pass, and the sink takes the same master', async () => {
  const { target, reference, analysis, master } = await pairAndPlainMaster();
  const held = target.channels.map((samples) => samples.slice());
  const store = copyingStore(held, target.sampleRateHz);
  const sink = collect(target.channels[0].length, held.length);
  masterStore({ store, analysis, clipping: countClippedRuns(held) }, reference, { eqMode: 'fixed', sink: sink.sink });
  assert.ok(store.writes.count > 0, 'earlier passes wrote the store');
  master.forEach((samples, c) => assert.ok(sameBits(sink.channels[c], samples), `channel ${c}: the sink took the master bit for bit`));
  assert.not.ok(held.every((samples, c) => sameBits(samples, master[c])), 'the store does not hold the master');
});

test.run();
