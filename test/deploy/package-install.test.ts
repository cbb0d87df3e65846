// The npm package as a user gets it: `npm pack` (which runs `prepare`, the
// build), installed into an empty folder, then the `audo-eq` command and an
// `import` of every public subpath from plain JavaScript, with no TypeScript
// loader anywhere. The install uses the repository's lockfile for the
// package's dependencies and prefers npm's cache, which `npm ci` filled, so it
// needs no network where the cache is warm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { repoRoot } from '../support/processes.ts';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const denoJson = JSON.parse(readFileSync(join(repoRoot, 'deno.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'audo-eq-pack-'));
const app = join(work, 'app');
// npm's variables from an enclosing `npm test` would point the child npm at this repository.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

function run(command: string, args: string[], cwd: string, timeout = 180_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: { ...cleanEnv, NO_COLOR: '1' }, encoding: 'utf8', timeout });
}

function output(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}\n${result.stdout}\n${result.stderr}`.slice(-3000);
}

let packed: { tarball: string; files: string[] } | undefined;

/** Packs once; every test that needs the tarball awaits it. */
function pack(): { tarball: string; files: string[] } {
  if (packed) return packed;
  const result = run('npm', ['pack', '--json', '--pack-destination', work], repoRoot);
  assert.is(result.status, 0, output(result));
  // `prepare` prints the build's own lines before npm's JSON.
  const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
  packed = { tarball: join(work, info.filename), files: info.files.map((f: { path: string }) => f.path) };
  return packed;
}

let installed = false;

/** Installs the tarball into `app` (an empty project) with the dependencies' versions from the lockfile. */
function install(): void {
  if (installed) return;
  const { tarball } = pack();
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { 'audo-eq': spec } },
    'node_modules/audo-eq': {
      version: packageJson.version,
      resolved: spec,
      license: packageJson.license,
      dependencies: packageJson.dependencies,
      bin: packageJson.bin,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  spawnSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'audo-eq': spec } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
  const result = run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], app, 300_000);
  assert.is(result.status, 0, output(result));
  installed = true;
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test('package.json points main, types, bin and every subpath export at built JavaScript with its .d.ts', () => {
  assert.is(packageJson.main, './dist/mod.js');
  assert.is(packageJson.types, './dist/mod.d.ts');
  assert.is(packageJson.scripts.prepare, 'npm run build');
  assert.equal(Object.keys(packageJson.exports).sort(), Object.keys(denoJson.exports).sort());
  for (const [subpath, target] of Object.entries(packageJson.exports as Record<string, { types: string; default: string }>)) {
    const source = (denoJson.exports[subpath] as string).replace(/^\.\//, '');
    assert.is(target.default, `./dist/${source.replace(/\.ts$/, '.js')}`, `${subpath} is the build of deno.json's ${source}`);
    assert.is(target.types, `./dist/${source.replace(/\.ts$/, '.d.ts')}`);
    assert.ok(existsSync(join(repoRoot, target.default)) && existsSync(join(repoRoot, target.types)), `${subpath} is built`);
  }
  // (After the environment they set: see huge-pages.test.ts.)
  for (const script of ['start', 'worker']) assert.match(packageJson.scripts[script], /^(?:[A-Z_]+=\S+ )*node dist\/runtimes\/node\/\S+\.js$/, script);
  assert.not.match(readFileSync(join(repoRoot, packageJson.bin['audo-eq']), 'utf8'), /tsx|\.ts['"]/, 'the bin loads no TypeScript');
});

test('the packed tarball holds the build, the bin and no TypeScript sources or tests', () => {
  const { files } = pack();
  for (const target of Object.values(packageJson.exports as Record<string, { types: string; default: string }>)) {
    for (const path of [target.default, target.types]) assert.ok(files.includes(path.replace(/^\.\//, '')), `${path} is packed`);
  }
  assert.ok(files.includes('bin/audo-eq.mjs'));
  for (const worker of ['mastering-worker', 'reference-analysis-worker', 'tap-thread-worker']) {
    assert.ok(files.includes(`dist/runtimes/node/${worker}.js`), `the ${worker} thread's entry is packed`);
    assert.ok(files.includes(`dist/cli/${worker}.js`), `the bundled CLI's ${worker} thread entry is packed`);
  }
  assert.ok(files.includes('dist/cli/audo-eq.js'), 'the bundled CLI is packed');
  assert.ok(files.some((f) => /^dist\/core\/dsp\/wasm\/\S+\.wasm\.js$/.test(f)), 'the WebAssembly kernels are packed');
  assert.equal(files.filter((f) => /(?<!\.d)\.ts$/.test(f)), [], 'no TypeScript sources');
  assert.equal(files.filter((f) => /^(test|bench)\//.test(f)), []);
});

test('installed into an empty folder: `audo-eq --help`, `audo-eq analyze` and `audo-eq master` (its reference thread too) run with plain Node', () => {
  install();
  const bin = join(app, 'node_modules/.bin/audo-eq');
  const help = run(bin, ['--help'], app);
  assert.is(help.status, 0, output(help));
  assert.match(help.stdout, /^usage: audo-eq <command>/);
  // A real measurement runs the WebAssembly kernels from dist/.
  const frames = 48000;
  const left = new Float32Array(frames);
  for (let i = 0; i < frames; i++) left[i] = 0.25 * Math.sin((2 * Math.PI * 997 * i) / 48000);
  writeFileSync(join(app, 'tone.wav'), encodeWav({ sampleRateHz: 48000, channels: [left, left.slice()] }, { bitDepth: 24 }));
  const analyze = run(bin, ['analyze', 'tone.wav', '--json'], app);
  assert.is(analyze.status, 0, output(analyze));
  const report = JSON.parse(analyze.stdout);
  // A full-scale-relative sine of amplitude 0.25 (−12.04 dBFS) reads −12.04 dBTP and, at 997 Hz, −12.04 LUFS in stereo.
  assert.equal([report.sampleRateHz, report.channels, report.truePeakDbtp, report.integratedLufs], [48000, 2, -12.04, -12.04]);
  // Mastering starts the reference analysis thread from the package's own files.
  const quiet = left.map((v, i) => v * 0.2 * (1 + Math.sin(i / 900)));
  writeFileSync(join(app, 'quiet.wav'), encodeWav({ sampleRateHz: 48000, channels: [quiet, quiet.slice()] }, { bitDepth: 24 }));
  const master = run(bin, ['master', '-t', 'quiet.wav', '-r', 'tone.wav', '-o', 'out/mastered.wav', '--report-json', 'out/report.json'], app);
  assert.is(master.status, 0, output(master));
  const diagnostics = JSON.parse(readFileSync(join(app, 'out/report.json'), 'utf8'));
  assert.ok('reference_wait_ms' in diagnostics.stage_ms, `the reference was analysed on its own thread: ${JSON.stringify(diagnostics.stage_ms)}`);
  assert.ok(Math.abs(diagnostics.output_lufs - -12.04) < 0.5, `mastered to the reference's loudness: ${diagnostics.output_lufs}`);
});

test('installed into an empty folder: plain JavaScript imports every public subpath', () => {
  install();
  const subpaths = Object.keys(packageJson.exports).map((subpath) => (subpath === '.' ? 'audo-eq' : `audo-eq/${subpath.slice(2)}`));
  const script = [
    `const names = {};`,
    ...subpaths.map((name, i) => `names[${JSON.stringify(name)}] = Object.keys(await import(${JSON.stringify(name)})).length;`),
    `const { createHandler, encodeWav, measureLoudness } = await import('audo-eq');`,
    `const handler = createHandler();`,
    `const health = await handler(new Request('http://x/health'));`,
    `const tone = new Float32Array(48000).map((_, i) => 0.1 * Math.sin(i / 7));`,
    `const wav = encodeWav({ sampleRateHz: 48000, channels: [tone, tone] }, { bitDepth: 24 });`,
    `const loudness = measureLoudness({ sampleRateHz: 48000, channels: [tone, tone] });`,
    `console.log(JSON.stringify({ names, health: health.status, wavBytes: wav.length, lufs: loudness.integratedLufs }));`,
  ].join('\n');
  writeFileSync(join(app, 'consumer.mjs'), script);
  const result = run(process.execPath, ['consumer.mjs'], app);
  assert.is(result.status, 0, output(result));
  const report = JSON.parse(result.stdout.trim().split('\n').pop()!);
  for (const name of subpaths) assert.ok(report.names[name] > 0, `${name} exports something`);
  assert.is(report.health, 200);
  assert.is(report.wavBytes, 68 + 48000 * 6);
  assert.ok(Number.isFinite(report.lufs), `measured ${report.lufs} LUFS`);
});

test('installed into an empty folder: the .d.ts files type-check a TypeScript consumer', () => {
  install();
  writeFileSync(
    join(app, 'consumer.ts'),
    [
      `import { master, createHandler, type HandlerOptions } from 'audo-eq';`,
      `import { createFilesystemStorage } from 'audo-eq/adapters/filesystem';`,
      `import { measureTruePeak } from 'audo-eq/truepeak';`,
      `const options: HandlerOptions = { storage: createFilesystemStorage({ dataDir: 'data' }) };`,
      `export const handler = createHandler(options);`,
      `export { master, measureTruePeak };`,
    ].join('\n'),
  );
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom'];
  const result = run(process.execPath, [tsc, ...args, '--types', 'node', '--typeRoots', join(repoRoot, 'node_modules/@types'), 'consumer.ts'], app);
  assert.is(result.status, 0, output(result));
});

test.run();
