import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copySamples } from '../../core/audio/copy-samples.ts';

const shared = (length: number) => new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
const plain = (length: number) => new Float32Array(length);
const wasm = (length: number) => new Float32Array(new WebAssembly.Memory({ initial: Math.ceil((length * 4) / 65536) }).buffer, 0, length);

/** Distinct values, a negative zero and a NaN among them: a copy must keep every bit. */
function filled(samples: Float32Array, seed: number): Float32Array {
  for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(seed + i * 0.37) * (i % 3 === 0 ? -1 : 1);
  samples[5] = -0;
  samples[9] = NaN;
  return samples;
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test('copies what set copies, at every alignment, shared or not on either side, in pieces or at once', () => {
  const kinds = { shared, plain, wasm };
  for (const [sourceKind, makeSource] of Object.entries(kinds)) {
    for (const [targetKind, makeTarget] of Object.entries(kinds)) {
      for (const count of [10, 64, 1000, 40_000]) {
        for (const sourceAt of [0, 1, 2, 3]) {
          for (const targetAt of [0, 1, 2, 3]) {
            const source = filled(makeSource(count + 8), count + sourceAt).subarray(sourceAt, sourceAt + count);
            const expected = filled(plain(count + 8), 7);
            expected.set(source, targetAt);
            const target = makeTarget(count + 8);
            target.set(filled(plain(count + 8), 7));
            copySamples(target, targetAt, source);
            assert.ok(sameBits(target, expected), `${sourceKind} +${sourceAt} → ${targetKind} +${targetAt}, ${count} samples`);
          }
        }
      }
    }
  }
});

test('overlapping stretches of one shared buffer are copied as set copies them', () => {
  for (const [from, to] of [
    [0, 1],
    [1, 0],
    [3, 100],
  ]) {
    const samples = filled(shared(50_000), 3);
    const expected = samples.slice();
    expected.set(expected.subarray(from, from + 40_000), to);
    copySamples(samples, to, samples.subarray(from, from + 40_000));
    assert.ok(sameBits(samples, expected), `${from} → ${to}`);
  }
});

test('a copy past the end of the target is refused as set refuses it, before anything is written', () => {
  assert.throws(() => copySamples(shared(100), 1, filled(plain(100), 1)), RangeError);
  assert.throws(() => copySamples(plain(100), 2, filled(shared(100), 1)), RangeError);
  const target = shared(40_000);
  assert.throws(() => copySamples(target, 1, filled(plain(40_000), 1)), RangeError);
  assert.ok(target.every((value) => value === 0), 'nothing written');
});

test.run();
