// How close reference-match mastering gets to each reference, as the founders
// judge it: `npm run bench -- matching`. Every pair of the matching set
// (bench/matching/: 9 synthetic pairs always, 9 real-music pairs when the
// Debian music packages are installed) is mastered by the CLI at default
// settings with --eq-mode reference-match, two at a time, and the target
// (before), the reference and the master (after) are measured by the
// independent meters of test/support/match-metrics.ts: ffmpeg ebur128 loudness,
// true peak and LRA, 1/3-octave spectral distance to the reference, side/mid
// above 200 Hz. Pair files are built once into bench/out/matching/ (about a
// minute); their measurements are cached beside them.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareToReference, measureTrackFile, type TrackMetrics } from '../test/support/match-metrics.ts';
import type { MatchingPair } from './matching/pair.ts';
import { buildPairSet } from './matching/pair-set.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const workDir = join(repoRoot, 'bench/out/matching');
const outputDir = join(workDir, 'masters');
const cachePath = join(workDir, 'input-metrics.json');
const CONCURRENCY = 2;

/** Target and reference figures keyed by path, size and mtime: inputs change only when rebuilt. */
function cachedMeasure(): (path: string) => TrackMetrics {
  const cache: Record<string, TrackMetrics> = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};
  return (path) => {
    const { size, mtimeMs } = statSync(path);
    const key = `${path}|${size}|${mtimeMs}`;
    if (!cache[key]) {
      cache[key] = measureTrackFile(path);
      writeFileSync(cachePath, JSON.stringify(cache));
    }
    return cache[key];
  };
}

function masterWithCli(pair: MatchingPair, output: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/audo-eq.mjs'), 'master', '-t', pair.target, '-r', pair.reference, '-o', output, '--eq-mode', 'reference-match'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`audo-eq master ${pair.id} exited ${code}: ${stderr.slice(-800)}`))));
  });
}

const cell = (value: number | null | undefined, width = 7) => (value == null ? '-' : value.toFixed(1)).padStart(width);

function printPair(pair: MatchingPair, target: TrackMetrics, reference: TrackMetrics, output: TrackMetrics, masterMs: number): void {
  console.log(`\n${pair.id} [${pair.group}] (mastered in ${(masterMs / 1000).toFixed(1)} s)\n  ${pair.description}`);
  console.log(`  ${''.padEnd(10)}${'LUFS'.padStart(7)}${'dBTP'.padStart(7)}${'dist dB'.padStart(9)}${'S/M>200'.padStart(9)}${'LRA LU'.padStart(8)}`);
  const row = (name: string, m: TrackMetrics) =>
    console.log(`  ${name.padEnd(10)}${cell(m.integratedLufs)}${cell(m.truePeakDbtp)}${cell(compareToReference(m, reference).spectralDistanceDb, 9)}${cell(m.widthDb?.above200, 9)}${cell(m.loudnessRangeLu, 8)}`);
  row('before', target);
  row('reference', reference);
  row('after', output);
}

async function main(): Promise<void> {
  const buildStarted = performance.now();
  const { pairs, realMusicSkipped } = buildPairSet(workDir);
  console.log(`${pairs.length} pairs ready in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s (${workDir})`);
  if (realMusicSkipped) console.log(realMusicSkipped);
  mkdirSync(outputDir, { recursive: true });
  const measure = cachedMeasure();
  const summary: Array<{ id: string; before: number; after: number; widthError: number | null; lraError: number | null; loudnessError: number | null; truePeak: number | null }> = [];

  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const pair = pairs[next++];
      const output = join(outputDir, `${pair.id}.wav`);
      const masterMs = await masterWithCli(pair, output);
      // Measuring blocks this process, not the other CLI child still mastering.
      const target = measure(pair.target);
      const reference = measure(pair.reference);
      const after = measureTrackFile(output);
      printPair(pair, target, reference, after, masterMs);
      const comparison = compareToReference(after, reference);
      summary.push({
        id: pair.id,
        before: compareToReference(target, reference).spectralDistanceDb,
        after: comparison.spectralDistanceDb,
        widthError: comparison.widthAbove200ErrorDb,
        lraError: comparison.loudnessRangeErrorLu,
        loudnessError: comparison.loudnessErrorLu,
        truePeak: comparison.truePeakDbtp,
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  summary.sort((a, b) => pairs.findIndex((p) => p.id === a.id) - pairs.findIndex((p) => p.id === b.id));
  console.log(`\nsummary (after − reference; dist = 1/3-octave spectral distance to the reference, before → after)`);
  console.log(`${'pair'.padEnd(34)}${'dist before'.padStart(12)}${'after'.padStart(7)}${'S/M>200 err'.padStart(12)}${'LRA err'.padStart(9)}${'LU err'.padStart(8)}${'dBTP'.padStart(7)}`);
  for (const s of summary) {
    console.log(`${s.id.padEnd(34)}${cell(s.before, 12)}${cell(s.after)}${cell(s.widthError, 12)}${cell(s.lraError, 9)}${cell(s.loudnessError, 8)}${cell(s.truePeak)}`);
  }
  console.log(`\n${pairs.length} pairs mastered and measured in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
