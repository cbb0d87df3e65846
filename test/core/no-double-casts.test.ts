// Types are kept, not bypassed: no product source casts through `unknown`
// (`as unknown as T`), which silences the compiler exactly where two types
// disagree. Boundaries check what they receive (type guards, zod) instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../support/processes.ts';

const ROOTS = ['core', 'adapters', 'runtimes', 'mod.ts'];

function sources(path: string): string[] {
  const full = join(repoRoot, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return /\.(ts|mts)$/.test(path) ? [full] : [];
  return readdirSync(full).flatMap((name) => sources(join(path, name)));
}

test('no product source casts through unknown', () => {
  const files = ROOTS.flatMap(sources);
  assert.ok(files.length > 50, `${files.length} files`);
  const offenders = files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => /\bas\s+unknown\s+as\b/.test(line) && !/^\s*(\/\/|\*)/.test(line))
      .map(({ index }) => `${relative(repoRoot, file)}:${index + 1}`),
  );
  assert.equal(offenders, []);
});

test.run();
