// `audo-eq batch-master` wall time: four 30 s stereo targets (the fixture
// music target looped with ffmpeg into bench/out/) against one reference, at
// --concurrency-limit 1 and 2, through the real CLI process. With items on
// worker threads, two lanes on two cores should take clearly less than one.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { fixturePath } from '../test/support/fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const workDir = join(here, 'out', 'batch');
const ITEMS = 4;
const SECONDS = 30;

function loopedCopy(source: string, path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', source, '-t', String(SECONDS), '-c:a', 'pcm_s16le', path]);
}

for (let i = 1; i <= ITEMS; i++) loopedCopy(fixturePath('indie_pop/target.wav'), join(workDir, 'mixes', `track${i}.wav`));
loopedCopy(fixturePath('indie_pop/reference.wav'), join(workDir, 'reference.wav'));

const results: Array<[number, number]> = [];
for (const concurrency of [1, 2]) {
  rmSync(join(workDir, 'mastered'), { recursive: true, force: true });
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [join(repoRoot, 'bin/audo-eq.mjs'), 'batch-master', '--target-pattern', 'mixes/*.wav', '--reference', 'reference.wav', '--concurrency-limit', String(concurrency)],
    { cwd: workDir, encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`batch-master failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  results.push([concurrency, seconds]);
  console.log(`batch-master ${ITEMS} × ${SECONDS} s stereo, --concurrency-limit ${concurrency}: ${seconds.toFixed(2)} s wall`);
}
const [[, one], [, two]] = results;
console.log(`speed-up at 2 lanes: ${(one / two).toFixed(2)}× (${availableParallelism()} CPUs here; other load on the machine lowers it)`);
