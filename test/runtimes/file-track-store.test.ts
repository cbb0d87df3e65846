import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileTrackStore } from '../../runtimes/node/file-track-store.ts';
import { makeTempDir } from '../audio/ffmpeg-pcm.ts';

const tmp = makeTempDir('file-track-store');
test.after(() => tmp.cleanup());

function noise(channelCount: number, frames: number, seed: number): Float32Array[] {
  let state = seed;
  return Array.from({ length: channelCount }, () =>
    Float32Array.from({ length: frames }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 31 - 1;
    }),
  );
}

test('frames written in blocks of 1, 17, 4096, 65536 and odd sizes read back exactly, in other block sizes', () => {
  for (const channelCount of [1, 2, 6]) {
    const length = 70001;
    const track = noise(channelCount, length, channelCount);
    for (const [writeFrames, readFrames] of [[1, 4096], [17, 65536], [4096, 17], [65536, 1], [1001, 4099]]) {
      const store = createFileTrackStore({ sampleRateHz: 48000, channelCount, length, directory: tmp.dir });
      try {
        assert.is(statSync(store.path).size, length * channelCount * 4, 'the file is sized for the whole track');
        for (let start = 0; start < length; start += writeFrames) {
          store.write(start, track.map((samples) => samples.subarray(start, Math.min(length, start + writeFrames))));
        }
        for (let start = 0; start < length; start += readFrames) {
          const block = store.read(start, readFrames);
          assert.is(block.length, channelCount);
          const end = Math.min(length, start + readFrames);
          block.forEach((samples, c) => {
            assert.is(samples.length, end - start);
            for (let i = 0; i < samples.length; i++) {
              if (samples[i] !== track[c][start + i]) assert.unreachable(`${channelCount} ch, channel ${c}, frame ${start + i}`);
            }
          });
        }
      } finally {
        store.close();
      }
    }
  }
});

test('a block read, changed in place and written back replaces just those frames; unwritten frames read as 0', () => {
  const store = createFileTrackStore({ sampleRateHz: 44100, channelCount: 2, length: 1000, directory: tmp.dir });
  try {
    store.write(0, noise(2, 1000, 3));
    const original = store.read(0, 1000).map((samples) => samples.slice());
    const block = store.read(300, 200);
    for (const samples of block) samples.fill(0.5);
    store.write(300, block);
    const after = store.read(0, 1000);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < 1000; i++) assert.is(after[c][i], i >= 300 && i < 500 ? 0.5 : original[c][i]);
    }
    assert.is(store.read(990, 100)[0].length, 10, 'a read is cut at the end');
    assert.is(store.read(1000, 100)[0].length, 0);
    assert.throws(() => store.write(990, noise(2, 11, 1)), RangeError);
    assert.throws(() => store.write(0, noise(1, 10, 1)), RangeError);
  } finally {
    store.close();
  }
  const fresh = createFileTrackStore({ sampleRateHz: 44100, channelCount: 3, length: 50, directory: tmp.dir });
  try {
    assert.ok(fresh.read(0, 50).every((samples) => samples.every((x) => x === 0)));
  } finally {
    fresh.close();
  }
});

test('close removes the file, twice is harmless, and a closed store refuses reads and writes', () => {
  const store = createFileTrackStore({ sampleRateHz: 48000, channelCount: 2, length: 10, directory: tmp.dir });
  assert.ok(existsSync(store.path));
  assert.is(dirname(store.path), tmp.dir);
  assert.is(statSync(store.path).mode & 0o777, 0o600, 'only the owner reads the track');
  store.close();
  store.close();
  assert.not.ok(existsSync(store.path));
  assert.throws(() => store.read(0, 1), /closed/);
  assert.throws(() => store.write(0, noise(2, 1, 1)), /closed/);
  assert.equal(readdirSync(tmp.dir).filter((name) => name.startsWith('audo-eq-track-')), []);
});

test('a store left open is removed when the process exits', () => {
  const storeModule = resolve(dirname(fileURLToPath(import.meta.url)), '../../runtimes/node/file-track-store.ts');
  const script = `import { createFileTrackStore } from ${JSON.stringify(storeModule)};
const store = createFileTrackStore({ sampleRateHz: 48000, channelCount: 2, length: 48000, directory: ${JSON.stringify(tmp.dir)} });
console.log(store.path);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  const path = child.stdout.trim();
  assert.ok(path.startsWith(join(tmp.dir, 'audo-eq-track-')), path);
  assert.not.ok(existsSync(path));
});

test.run();
