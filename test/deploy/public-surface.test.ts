// The public surface: mod.ts without worker internals, the same subpaths in
// package.json and deno.json, each resolving to a module that exports what
// its name promises, and `deno publish --dry-run` passing (a JSR package:
// explicit types on everything public, a license, only sources published).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as root from '../../mod.ts';
import { DEFAULT_LIMITS } from '../../core/domain/limits.ts';
import { loadConfig } from '../../core/app/config.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';
import { denoBinary, repoRoot } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const denoJson = JSON.parse(readFileSync(join(repoRoot, 'deno.json'), 'utf8'));

/** What a subpath must export (a few names each; the module's whole surface is its own business). */
const PROMISED: Record<string, string[]> = {
  '.': ['createHandler', 'master', 'decodeAudio', 'encodeWav', 'measureLoudness', 'measureTrack', 'DEFAULT_LIMITS', 'AudoEqError'],
  './audio': ['decodeAudio', 'encodeWav', 'foldToStereo'],
  './loudness': ['measureLoudness', 'createLoudnessMeter', 'channelWeightsFor'],
  './truepeak': ['measureTruePeak', 'createTruePeakDetector'],
  './levels': ['measureLevels'],
  './mastering': ['master'],
  './measurement': ['measureTrack'],
  './workers': ['createWorkerPool', 'answerJobMessage', 'deliverReply', 'READY_REPLY', 'runMasteringJob', 'runAnalysisJob', 'createArtifactWorker'],
  './adapters/filesystem': ['createFilesystemStorage'],
  './adapters/s3': ['createS3Storage'],
  './adapters/memory-queue': ['createMemoryQueue'],
  './adapters/redis-queue': ['createRedisQueue'],
  './adapters/tslog': ['createTslogLogger'],
  './node/fetch-adapter': ['toNodeListener'],
  './node/pool': ['createNodeWorkerPool'],
  './web-worker-pool': ['createWebWorkerPool'],
};

/** The TypeScript source a package.json export stands for (a built `dist/….js` export maps back to its source). */
function sourceOf(target: unknown): string {
  const path = typeof target === 'string' ? target : ((target as Record<string, string>).source ?? (target as Record<string, string>).import ?? (target as Record<string, string>).default);
  return path;
}

test('package.json and deno.json publish the same subpaths, and deno.json points at the TypeScript sources', () => {
  assert.equal(Object.keys(packageJson.exports).sort(), Object.keys(PROMISED).sort());
  assert.equal(Object.keys(denoJson.exports).sort(), Object.keys(PROMISED).sort());
  for (const [subpath, target] of Object.entries(denoJson.exports as Record<string, string>)) {
    assert.match(target, /\.ts$/, subpath);
    assert.ok(existsSync(join(repoRoot, target)), `${subpath} -> ${target}`);
    assert.ok(sourceOf(packageJson.exports[subpath]) !== undefined, `package.json has ${subpath}`);
  }
  assert.is(denoJson.version, packageJson.version, 'one version');
  assert.is(denoJson.license, packageJson.license);
});

test('each subpath exports what its name promises', async () => {
  for (const [subpath, names] of Object.entries(PROMISED)) {
    const module = await import(pathToFileURL(join(repoRoot, denoJson.exports[subpath])).href);
    for (const name of names) assert.ok(name in module, `${subpath} exports ${name}`);
  }
});

test('mod.ts leaves worker internals and runtime configuration to their subpaths', () => {
  for (const internal of ['createWorkerPool', 'answerJobMessage', 'deliverReply', 'READY_REPLY', 'runMasteringJob', 'runAnalysisJob', 'createArtifactWorker', 'loadConfig']) {
    assert.not.ok(internal in root, `mod.ts does not export ${internal}`);
  }
});

test('default limits live in one module: the config defaults, the ingest policy and the CLI read it', () => {
  const config = loadConfig({});
  assert.equal(
    [config.AUDO_EQ_MAX_FILE_BYTES, config.AUDO_EQ_MAX_REQUEST_BYTES, config.AUDO_EQ_REQUEST_TIMEOUT_MS, config.AUDO_EQ_UPLOAD_IDLE_TIMEOUT_MS, config.AUDO_EQ_MAX_PENDING, config.AUDO_EQ_SHUTDOWN_TIMEOUT_MS],
    [DEFAULT_LIMITS.maxFileBytes, DEFAULT_LIMITS.maxRequestBytes, DEFAULT_LIMITS.requestTimeoutMs, DEFAULT_LIMITS.uploadIdleTimeoutMs, DEFAULT_LIMITS.maxPending, DEFAULT_LIMITS.shutdownTimeoutMs],
  );
  assert.equal(
    [DEFAULT_INGEST_POLICY.maxFileBytes, DEFAULT_INGEST_POLICY.maxDurationSeconds, DEFAULT_INGEST_POLICY.sampleRateHz, DEFAULT_INGEST_POLICY.channels],
    [DEFAULT_LIMITS.maxFileBytes, DEFAULT_LIMITS.maxDurationSeconds, DEFAULT_LIMITS.sampleRateHz, DEFAULT_LIMITS.channels],
  );
  // No module repeats a default byte limit or timeout as a literal.
  for (const file of ['core/http/app.ts', 'core/app/config.ts', 'core/domain/policies.ts', 'runtimes/node/pool.ts', 'runtimes/shared/web-worker-pool.ts']) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    assert.not.match(text, /\b(100|201) \* MIB\b|(maxWaiting|maxPending) \?\? \d|_(REQUEST|UPLOAD_IDLE|SHUTDOWN)_TIMEOUT_MS: .*\.default\(\d|MAX_PENDING: .*\.default\(\d/, file);
  }
});

if (requireTool('deno', existsSync(denoBinary), 'deno publish --dry-run')) {
  test('deno publish --dry-run passes: explicit types on the public API, a license, sources only', () => {
    const result = spawnSync(denoBinary, ['publish', '--dry-run', '--allow-dirty'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
    // Colour codes stripped: the test runner sets FORCE_COLOR.
    const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    assert.is(result.status, 0, output.slice(-3000));
    assert.match(output, /Success Dry run complete/);
    assert.not.match(output, /file:\/\/\S+\/(test|bench|examples|test-output|node_modules)\//, 'only sources are published');
  });
}

test.run();
