// Shared helpers for the deployment tests: the stack's files, the `.env` that
// operators start from, and the local import graph of an entry point.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { envValues } from '../../runtimes/node/preflight/env-file.ts';
import { loadComposeProject, type ComposeProject } from './compose/load.ts';
import { repoRoot } from './processes.ts';

export const DEV_FILES = ['compose.yaml', 'compose.override.yaml'] as const;
export const PROD_FILES = ['compose.yaml', 'compose.prod.yaml'] as const;

/** `.env.example` as the variables `docker compose` would read from a fresh `.env`. */
export function exampleEnv(): Record<string, string> {
  return Object.fromEntries(envValues(readFileSync(join(repoRoot, '.env.example'), 'utf8')));
}

/**
 * Loads the repo's compose files like `docker compose -f ... config` with the
 * example `.env` plus `overrides` (as variables exported in the shell, which
 * take precedence over `.env`).
 */
export function loadStack(
  files: readonly string[],
  overrides: Record<string, string> = {},
  profiles: readonly string[] = [],
  baseEnv: Record<string, string> = exampleEnv(),
): ComposeProject {
  return loadComposeProject(files, { ...baseEnv, ...overrides }, { cwd: repoRoot, profiles });
}

// Static and dynamic imports, and files loaded as `new URL('./x', import.meta.url)` (worker entries, assets).
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bnew URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Every repo file an entry point loads through relative imports (static and
 * dynamic) or `new URL('./…', import.meta.url)`, as paths relative to the
 * repo root, the entry included.
 *
 * @example localImportGraph('runtimes/node/server.ts'); // ['runtimes/node/server.ts', 'mod.ts', ...]
 */
export function localImportGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = relative(repoRoot, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1]);
      // A `.js` URL beside a `.ts` source names the built file (dist/); the source stands for it here.
      const source = target.replace(/\.js$/, '.ts');
      if (existsSync(target)) visit(target);
      else if (target.endsWith('.js') && existsSync(source)) visit(source);
      else throw new Error(`${rel} imports ${match[1]}, which does not exist`);
    }
  };
  visit(join(repoRoot, entry));
  return [...seen];
}
