// Input files are read without a second copy, and never as a view into Node's shared pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownBytes, readFileBytes } from '../../runtimes/node/file-bytes.ts';

test('a Buffer that owns its memory is viewed, not copied', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-bytes-'));
  try {
    const path = join(dir, 'big.bin');
    writeFileSync(path, Buffer.alloc(1 << 20, 7));
    const bytes = await readFileBytes(path);
    assert.is(bytes.byteLength, 1 << 20);
    assert.is(bytes.buffer.byteLength, 1 << 20, 'the read buffer itself');
    assert.is(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'a plain Uint8Array');
    const owned = Buffer.allocUnsafeSlow(16).fill(3);
    const view = ownBytes(owned);
    owned[0] = 9;
    assert.is(view[0], 9, 'the same memory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a slice of the shared pool is copied into memory of its own', () => {
  const pooled = Buffer.from('a small pooled buffer');
  assert.ok(pooled.buffer.byteLength > pooled.byteLength, 'Node pools small buffers');
  const bytes = ownBytes(pooled);
  assert.is(bytes.buffer.byteLength, pooled.byteLength);
  assert.equal(Array.from(bytes), Array.from(pooled));
  pooled[0] = 0;
  assert.is.not(bytes[0], 0);
});

test.run();
