import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepExpiredArtifacts } from '../../adapters/storage/filesystem-retention.ts';

const DAY_MS = 86_400_000;

/** Writes `relative` under `root`, last modified `ageDays` ago. */
function file(root: string, relative: string, ageDays: number): string {
  const path = join(root, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x');
  const when = new Date(Date.now() - ageDays * DAY_MS);
  utimesSync(path, when, when);
  return path;
}

test('removes artifacts (with their sidecars) older than the limit, keeps newer ones and everything outside mastered/', async () => {
  const root = mkdtempSync(join(tmpdir(), 'audo-eq-retention-'));
  try {
    const old = file(root, 'mastered/old.wav', 3);
    const oldMeta = file(root, 'mastered/old.wav.meta.json', 0); // a sidecar goes with its artifact whatever its own age
    const partial = file(root, `mastered/crashed.wav.${crypto.randomUUID()}.partial`, 3);
    const fresh = file(root, 'mastered/new.wav', 1);
    const freshMeta = file(root, 'mastered/new.wav.meta.json', 1);
    const jobInput = file(root, 'jobs/j1/target', 30);
    const stranger = file(root, 'mastered/notes.txt', 30);
    const outside = file(root, 'old.wav', 30);
    const result = await sweepExpiredArtifacts({ dataDir: root, maxAgeMs: 2 * DAY_MS });
    assert.is(result.removed, 1);
    assert.is(result.truncated, false);
    assert.not.ok(existsSync(old));
    assert.not.ok(existsSync(oldMeta));
    assert.not.ok(existsSync(partial));
    for (const kept of [fresh, freshMeta, jobInput, stranger, outside]) assert.ok(existsSync(kept), `${kept} was removed`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('one sweep is bounded: it stops at maxRemoved and says so; the next sweep goes on', async () => {
  const root = mkdtempSync(join(tmpdir(), 'audo-eq-retention-'));
  try {
    for (let i = 0; i < 5; i++) file(root, `mastered/a${i}.wav`, 10);
    const first = await sweepExpiredArtifacts({ dataDir: root, maxAgeMs: DAY_MS, maxRemoved: 2 });
    assert.is(first.removed, 2);
    assert.is(first.truncated, true);
    const second = await sweepExpiredArtifacts({ dataDir: root, maxAgeMs: DAY_MS, maxRemoved: 10 });
    assert.equal(second, { scanned: 3, removed: 3, truncated: false });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a data folder with no artifacts yet is not an error', async () => {
  assert.equal(await sweepExpiredArtifacts({ dataDir: join(tmpdir(), `audo-eq-none-${crypto.randomUUID()}`), maxAgeMs: DAY_MS }), { scanned: 0, removed: 0, truncated: false });
});

test.run();
