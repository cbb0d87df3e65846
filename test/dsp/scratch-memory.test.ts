// Scratch memory handed from one phase of a job to a later one: taken back
// cleared, the smallest buffer that fits first, never more than 32 MiB kept,
// and nothing kept once released.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handBackScratch, releaseScratch, takeScratch } from '../../core/dsp/scratch-memory.ts';

const MIB = 1024 * 1024;

test.before.each(() => releaseScratch());

test('a buffer handed back is taken again with the bytes asked for cleared', () => {
  const buffer = new ArrayBuffer(4096);
  new Uint8Array(buffer).fill(0xab);
  handBackScratch(buffer);
  const taken = takeScratch(1000);
  assert.is(taken, buffer);
  assert.ok(new Uint8Array(taken, 0, 1000).every((byte) => byte === 0), 'the bytes asked for are zero');
  // Taken, it is no longer kept: the next take gets new memory.
  assert.is.not(takeScratch(1000), buffer);
});

test('the smallest kept buffer large enough is taken; one too small is left', () => {
  const small = new ArrayBuffer(1000);
  const medium = new ArrayBuffer(5000);
  const large = new ArrayBuffer(9000);
  for (const buffer of [large, small, medium]) handBackScratch(buffer);
  assert.is(takeScratch(4000), medium);
  assert.is(takeScratch(4000), large);
  const fresh = takeScratch(4000);
  assert.ok(fresh !== small && fresh.byteLength === 4000, 'new memory when nothing kept fits');
  assert.is(takeScratch(10), small);
});

test('no more than 32 MiB is kept: the oldest go first, and a larger buffer is not kept at all', () => {
  const buffers = [0, 1, 2].map(() => new ArrayBuffer(12 * MIB));
  for (const buffer of buffers) handBackScratch(buffer);
  handBackScratch(new ArrayBuffer(33 * MIB));
  const taken = [takeScratch(MIB), takeScratch(MIB), takeScratch(MIB)];
  assert.ok(taken.includes(buffers[1]) && taken.includes(buffers[2]), 'the two newest are kept');
  assert.not.ok(taken.includes(buffers[0]), 'the oldest went');
  handBackScratch(buffers[1]);
  handBackScratch(buffers[1]);
  assert.is(takeScratch(MIB), buffers[1]);
  assert.is.not(takeScratch(MIB), buffers[1], 'handed back twice, kept once');
});

test('released, nothing is kept', () => {
  const buffer = new ArrayBuffer(4096);
  handBackScratch(buffer);
  releaseScratch();
  assert.is.not(takeScratch(4096), buffer);
});

test.run();
