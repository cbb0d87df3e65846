// `npm run build` (and `prepare`, so `npm ci` runs it): compiles the sources
// into dist/ (JavaScript + .d.ts, tsconfig.build.json). The compiler writes a
// fresh folder beside dist/ that then replaces it in two renames, so a file
// deleted from the sources leaves dist/ too, and a CLI or server already
// running from dist/ (a test run, say) never finds it half-written or gone
// for longer than a rename.
//
// The CLI and the threads it starts are also bundled (esbuild) into dist/cli/:
// a fresh `audo-eq` process then reads a few files instead of resolving and
// compiling some three hundred modules, which took ~0.15 s of every run. The
// threads' entries sit beside the chunks, so a module's
// `new URL('./x-worker.js', import.meta.url)` finds them there as it finds
// their unbundled twins in dist/runtimes/node/. Packages that only the server
// loads, and lazily (S3, Redis), stay outside the bundle.
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
try {
  await bundleCli(fresh);
} catch (error) {
  rmSync(fresh, { recursive: true, force: true });
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
if (existsSync(dist)) renameSync(dist, old);
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });

/** Bundles the compiled CLI and its thread entries in `built` into `built`/cli (see the comment at the top). */
async function bundleCli(built) {
  const { build } = await import('esbuild');
  const node = join(built, 'runtimes/node');
  await build({
    entryPoints: {
      'audo-eq': join(node, 'cli/main.js'),
      'tap-thread-worker': join(node, 'tap-thread-worker.js'),
      'reference-analysis-worker': join(node, 'reference-analysis-worker.js'),
      'mastering-worker': join(node, 'mastering-worker.js'),
    },
    outdir: join(built, 'cli'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['@aws-sdk/*', '@smithy/*', 'bullmq', 'ioredis'],
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
    logLevel: 'warning',
  });
}
