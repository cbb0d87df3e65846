// One render pass (core/mastering/render-pass.ts): a pass that writes tells
// the store before its stages change each block in place, and shows its taps
// the store's own region once written (the same samples as the stages'
// output); a pass that only measures does neither.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryTrackStore, type TrackStore } from '../../core/audio/pcm-source.ts';
import type { Frames, StreamStage, StreamTap } from '../../core/dsp/stream-stage.ts';
import { runPass } from '../../core/mastering/render-pass.ts';

const rate = 44100;

function track(length: number): Float32Array[] {
  return [0, 1].map((c) => Float32Array.from({ length }, (_, i) => Math.sin(i / (50 + c)) * 0.5));
}

/** A store that notes every prepareWrite, read and write, over channels in memory. */
function notingStore(channels: Float32Array[]) {
  const store = memoryTrackStore(channels, rate);
  const calls: string[] = [];
  const noting: TrackStore & { channels: Float32Array[] } = {
    ...store,
    channels,
    prepareWrite: (start, count) => void calls.push(`prepare ${start} ${count}`),
    read: (start, count) => (calls.push(`read ${start}`), store.read(start, count)),
    write: (start, frames) => (calls.push(`write ${start}`), store.write(start, frames)),
  };
  return { store: noting, calls };
}

/** Halves every sample, holding the first 1000 frames back a block (output lags the input, in buffers of its own). */
function laggingHalver(): StreamStage<void> {
  let held: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  return {
    push(frames) {
      const joined = frames.map((samples, c) => {
        const all = new Float32Array(held[c].length + samples.length);
        all.set(held[c]);
        all.set(samples, held[c].length);
        return all.map((x) => x / 2);
      });
      const out = Math.max(0, joined[0].length - 1000);
      held = joined.map((samples) => samples.slice(out).map((x) => x * 2));
      return joined.map((samples) => samples.subarray(0, out));
    },
    finish: () => held.map((samples) => samples.map((x) => x / 2)),
    report() {},
  };
}

/** A tap that keeps what it is shown, with the buffers it was shown them in. */
function keepingTap(): StreamTap<Float32Array[]> & { readonly buffers: ArrayBufferLike[] } {
  const kept: number[][] = [[], []];
  const buffers: ArrayBufferLike[] = [];
  return {
    buffers,
    push(frames: Frames) {
      buffers.push(frames[0].buffer);
      frames.forEach((samples, c) => kept[c].push(...samples));
    },
    result: () => kept.map((values) => Float32Array.from(values)),
  };
}

test('a pass that writes prepares each block before its stages change it, and shows its taps the written region of the store', () => {
  const length = 3 * 4096 + 77;
  const channels = track(length);
  const expected = channels.map((samples) => samples.map((x) => x / 2));
  const { store, calls } = notingStore(channels);
  const tap = keepingTap();
  runPass(store, [laggingHalver()], [tap], { write: true, blockFrames: 4096 });
  assert.equal(Array.from(channels[0]), Array.from(expected[0]));
  assert.equal(Array.from(tap.result()[1]), Array.from(expected[1]), 'the taps saw the output');
  assert.ok(tap.buffers.every((buffer) => buffer === channels[0].buffer), "shown in the store's own memory");
  for (let start = 0; start < length; start += 4096) {
    const prepared = calls.indexOf(`prepare ${start} 4096`);
    assert.ok(prepared >= 0 && prepared < calls.indexOf(`read ${start}`), `block at ${start} prepared before it is read and changed`);
  }
});

test('a pass that only measures prepares nothing and shows its taps what it read', () => {
  const channels = track(10000);
  const before = channels.map((samples) => samples.slice());
  const { store, calls } = notingStore(channels);
  const tap = keepingTap();
  runPass(store, [laggingHalver()], [tap], { write: false, blockFrames: 4096 });
  assert.not.ok(calls.some((call) => call.startsWith('prepare') || call.startsWith('write')));
  assert.equal(Array.from(channels[0]), Array.from(before[0]), 'the store as it was');
  assert.equal(Array.from(tap.result()[0]), Array.from(before[0].map((x) => x / 2)));
});

test.run();
