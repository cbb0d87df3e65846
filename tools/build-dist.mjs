// `npm run build` (and `prepare`, so `npm ci` runs it): compiles the sources
// into dist/ (JavaScript + .d.ts, tsconfig.build.json). The compiler writes a
// fresh folder beside dist/ that then replaces it in two renames, so a file
// deleted from the sources leaves dist/ too, and a CLI or server already
// running from dist/ (a test run, say) never finds it half-written or gone
// for longer than a rename.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fresh = join(root, `dist.next-${process.pid}`);
const old = join(root, `dist.old-${process.pid}`);
const dist = join(root, 'dist');
// The compiler's own launcher (TypeScript 7 runs a native binary behind it).
const localTsc = join(root, 'node_modules/.bin/tsc');
const tsc = existsSync(localTsc) ? localTsc : 'tsc';

const result = spawnSync(tsc, ['-p', join(root, 'tsconfig.build.json'), '--outDir', fresh], { stdio: 'inherit' });
if (result.status !== 0) {
  rmSync(fresh, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
if (existsSync(dist)) renameSync(dist, old);
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
