import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fixturePath } from '../support/fixtures.ts';
import { bunBinary, denoBinary, repoRoot } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const script = 'test/runtimes/decode-smoke.ts';
const files = ['indie_pop/target.wav', 'synthwave_48k_24bit/target.flac', 'speech_mono_target/target.mp3'].map(fixturePath);

function run(command: string, args: string[]): unknown[] {
  const result = spawnSync(command, [...args, script, ...files], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.is(result.status, 0, `${command} failed:\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as unknown[];
}

let nodeSummaries: unknown[] = [];

test('the smoke script decodes WAV, FLAC and MP3 through mod.ts under Node', () => {
  nodeSummaries = run(process.execPath, ['--import', 'tsx']);
  assert.equal(
    nodeSummaries.map((s) => {
      const { container, codec, sampleRateHz, channels, frames } = s as Record<string, unknown>;
      return [container, codec, sampleRateHz, channels, frames];
    }),
    [
      ['wav', 'pcm_s16le', 44100, 2, 441000],
      ['flac', 'flac', 48000, 2, 480000],
      ['mp3', 'mp3', 44100, 1, 441000],
    ],
  );
});

if (requireTool('deno', existsSync(denoBinary), 'Deno decode smoke')) {
  test('Deno decodes the same files to the same samples through mod.ts', () => {
    assert.equal(run(denoBinary, ['run', '-A']), nodeSummaries);
  });
}

if (requireTool('bun', existsSync(bunBinary), 'Bun decode smoke')) {
  test('Bun decodes the same files to the same samples through mod.ts', () => {
    assert.equal(run(bunBinary, []), nodeSummaries);
  });
}

test.run();
