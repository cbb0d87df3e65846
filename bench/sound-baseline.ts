// Records what the mastering chain sounds like now, for
// test/mastering/sound-unchanged.test.ts: `node --import tsx bench/sound-baseline.ts`
// masters every case of test/support/sound-cases.ts (every fixture pair in every
// EQ mode, plus preview, two-reference, de-esser, resampled, long and EQ-preset
// renders) and writes their loudness, true peak, spectral distance, output hash,
// length and waveform probe to
// test/mastering/sound-baseline.json with the commit they came from. Issue 14's
// baseline was recorded at 59f1569 (before the streaming rewrite) by copying this
// script and test/support/sound-cases.ts into a worktree of that commit; rerun it
// only when a change of sound is intended.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simdEnabled } from '../core/wasm/simd-module.ts';
import { applySimdSwitch } from '../runtimes/shared/simd-switch.ts';
import { ensureFixtures, fixturePath } from '../test/support/fixtures.ts';
import { renderSoundCase, sha256Hex, soundCases, type SoundBaseline } from '../test/support/sound-cases.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputPath = join(repoRoot, 'test/mastering/sound-baseline.json');

applySimdSwitch(process.env);
const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
const commit = git('rev-parse', 'HEAD');
const coreChanged = git('status', '--porcelain', '--', 'core') !== '';

const cases = soundCases(ensureFixtures());
const inputSha256: Record<string, string> = {};
for (const path of new Set(cases.flatMap((c) => [c.target, ...c.references]))) inputSha256[path] = sha256Hex(readFileSync(fixturePath(path)));

const recorded: Record<string, SoundBaseline['cases'][string]> = {};
for (const soundCase of cases) {
  const started = performance.now();
  const { wav: _wav, ...figures } = await renderSoundCase(soundCase);
  recorded[soundCase.id] = { ...soundCase, ...figures };
  const distances = figures.spectralDistanceDb.map((d) => d.toFixed(3)).join('/');
  console.log(`${soundCase.id.padEnd(44)} ${String(figures.integratedLufs?.toFixed(3)).padStart(8)} LUFS ${String(figures.truePeakDbtp?.toFixed(3)).padStart(7)} dBTP  dist ${distances} dB  ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const baseline: SoundBaseline = {
  commit: coreChanged ? `${commit}+uncommitted core changes` : commit,
  simd: simdEnabled(),
  note: 'What master() produced at this commit (24-bit WAV, default options but those listed); written by bench/sound-baseline.ts.',
  inputSha256,
  cases: recorded,
};
// One line per list of numbers or strings keeps the file short enough to read in a diff.
const json = JSON.stringify(baseline, null, 2).replace(/\[\s*([^\[\]{}]*?)\s*\]/g, (_, items: string) => `[${items.split(/,\s*/).join(', ')}]`);
writeFileSync(outputPath, `${json}\n`);
console.log(`wrote ${outputPath} (${cases.length} cases, commit ${baseline.commit.slice(0, 12)})`);
