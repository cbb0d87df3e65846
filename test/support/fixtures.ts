import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { truncateWav } from './http-client.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const generatorDir = join(repoRoot, 'test/fixtures/generator');
const generator = join(generatorDir, 'generate.sh');

/** Where generated fixture audio lives (never committed): AUDO_EQ_FIXTURES_DIR or test-output/fixtures. */
export const fixturesDir = process.env.AUDO_EQ_FIXTURES_DIR ?? join(repoRoot, 'test-output/fixtures');

export interface FixtureManifest {
  pairs: Array<{
    id: string;
    style: string;
    target: FixtureFile & { imbalance: string };
    reference: FixtureFile;
    spectral_distance_db: number;
    alt_inputs: Array<FixtureFile & { side: 'target' | 'reference'; format: string }>;
  }>;
  malformed: Array<{ path: string; bytes: number; what: string; expect: string }>;
}

export interface FixtureFile {
  path: string;
  sample_rate: number;
  channels: number;
  bit_depth: number | null;
  codec: string;
  lufs: number;
  true_peak_dbtp: number;
  lra: number;
}

let manifest: FixtureManifest | undefined;

/** A set generated before its generator last changed says what an older generator expected. */
function isStale(manifestPath: string): boolean {
  if (!existsSync(manifestPath)) return true;
  const generatedAt = statSync(manifestPath).mtimeMs;
  return readdirSync(generatorDir).some((name) => statSync(join(generatorDir, name)).mtimeMs > generatedAt);
}

/**
 * Generates the fixture set once (about 10 s; deterministic), and again when
 * the generator changed since, and returns its manifest.
 * Paths in the manifest are relative to {@link fixturesDir}; use {@link fixturePath}.
 */
export function ensureFixtures(): FixtureManifest {
  if (manifest) return manifest;
  const manifestPath = join(fixturesDir, 'manifest.json');
  if (isStale(manifestPath)) {
    const result = spawnSync('bash', [generator, fixturesDir], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`fixture generation failed (exit ${result.status})`);
  }
  manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as FixtureManifest;
  return manifest;
}

export function fixturePath(relative: string): string {
  ensureFixtures();
  return join(fixturesDir, relative);
}

export function readFixture(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(relative)));
}

/**
 * The first `seconds` of fixture WAV `relative` (see `truncateWav`): real
 * audio, short enough that mastering it takes little time in tests about
 * something else.
 *
 * @example const target = fixtureHead('indie_pop/target.wav', 1);
 */
export function fixtureHead(relative: string, seconds: number): Uint8Array {
  return truncateWav(readFixture(relative), seconds);
}

/**
 * {@link fixtureHead} as an upload: its bytes and file name.
 *
 * @example const job = { correlationId: 'c-1', target: fixtureUpload('indie_pop/target.wav', 3), reference: fixtureUpload('indie_pop/reference.wav', 3), options };
 */
export function fixtureUpload(relative: string, seconds: number): { bytes: Uint8Array; filename: string } {
  return { bytes: fixtureHead(relative, seconds), filename: basename(relative) };
}
