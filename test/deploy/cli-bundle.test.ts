// The CLI as `npm run build` bundles it into dist/cli/ (tools/build-dist.mjs):
// the launcher runs the bundle, the bundle holds every module the CLI and its
// threads load except the server's lazily loaded S3 and Redis packages, the
// thread entries sit beside its chunks (where `new URL('./x-worker.js',
// import.meta.url)` looks), and it masters the very bytes the unbundled build
// does, with its reference and tap threads started from the bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fixturePath } from '../support/fixtures.ts';
import { repoRoot } from '../support/processes.ts';

const bundle = join(repoRoot, 'dist/cli');
const work = mkdtempSync(join(tmpdir(), 'audo-eq-bundle-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const { FORCE_COLOR: _ignored, ...childEnv } = process.env;

function runEntry(entry: string, args: readonly string[]) {
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: work, env: { ...childEnv, NO_COLOR: '1' }, encoding: 'utf8', timeout: 300_000 });
  assert.is(result.status, 0, `${entry}: exit ${result.status}\n${result.stderr}`.slice(-2000));
  return result;
}

test('the launcher runs the bundle, whose thread entries sit beside its chunks', () => {
  assert.match(readFileSync(join(repoRoot, 'bin/audo-eq.mjs'), 'utf8'), /new URL\('\.\.\/dist\/cli\/audo-eq\.js', import\.meta\.url\)/);
  const files = readdirSync(bundle);
  for (const entry of ['audo-eq.js', 'tap-thread-worker.js', 'reference-analysis-worker.js', 'mastering-worker.js']) {
    assert.ok(files.includes(entry), `${entry} is in dist/cli`);
  }
});

test('the bundle imports nothing of the unbundled build and no package but the server\'s lazily loaded S3 and Redis clients', () => {
  const outside = new Set<string>();
  for (const file of readdirSync(bundle).filter((name) => name.endsWith('.js'))) {
    const code = readFileSync(join(bundle, file), 'utf8');
    // esbuild writes static imports at the start of a line and dynamic ones as import("…").
    const imports = [...code.matchAll(/^import\s[^;]*?["']([^"']+)["'];/gm), ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)];
    assert.ok(imports.length > 0 || file.startsWith('chunk-'), `${file} imports its chunks`);
    for (const [, specifier] of imports) {
      if (specifier.startsWith('./') && !specifier.includes('/', 2)) continue;
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      outside.add(specifier);
    }
  }
  const allowed = /^(@aws-sdk\/|@smithy\/|bullmq$|ioredis$)/;
  assert.equal([...outside].filter((specifier) => !allowed.test(specifier)), []);
});

/** The bundle's files `file` loads before its code runs: its static imports, and theirs. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, specifier] of readFileSync(join(bundle, file), 'utf8').matchAll(/^import\s[^;]*?["'](\.\/[^"']+)["'];/gm)) staticClosure(specifier.slice(2), seen);
  return seen;
}

test('neither the launcher\'s entry nor the master command loads zod (its chunk took ~70 ms of every run; only a bad AUDO_EQ_SIMD needs the schema)', () => {
  const master = readdirSync(bundle).find((name) => name.startsWith('master-'));
  assert.ok(master, 'the master command is a chunk of its own');
  const holdsZod = (file: string) => readFileSync(join(bundle, file), 'utf8').includes('node_modules/zod/');
  assert.ok(readdirSync(bundle).some((name) => name.endsWith('.js') && holdsZod(name)), 'the bundle holds zod somewhere (the check below can see it)');
  for (const entry of ['audo-eq.js', master]) {
    assert.equal([...staticClosure(entry)].filter(holdsZod), [], `${entry} loads no chunk with zod`);
  }
});

test('the bundled CLI masters the same bytes as the unbundled build, in both EQ modes', () => {
  const target = fixturePath('indie_pop/target.wav');
  const reference = fixturePath('indie_pop/reference.wav');
  for (const eqMode of ['fixed', 'reference-match']) {
    const outputs = ['bundled', 'unbundled'].map((name) => join(work, `${name}-${eqMode}.wav`));
    const reports = outputs.map((output) => `${output}.json`);
    runEntry(join(bundle, 'audo-eq.js'), ['master', '-t', target, '-r', reference, '-o', outputs[0], '--eq-mode', eqMode, '--report-json', reports[0]]);
    runEntry(join(repoRoot, 'dist/runtimes/node/cli/main.js'), ['master', '-t', target, '-r', reference, '-o', outputs[1], '--eq-mode', eqMode, '--report-json', reports[1]]);
    assert.ok(Buffer.compare(readFileSync(outputs[0]), readFileSync(outputs[1])) === 0, `${eqMode}: same WAV bytes`);
    const stages = JSON.parse(readFileSync(reports[0], 'utf8')).stage_ms;
    assert.ok('reference_wait_ms' in stages, `the bundle analysed the reference on its own thread: ${JSON.stringify(stages)}`);
  }
});

test.run();
