#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1 node
// Launcher for the `audo-eq` CLI: runs the JavaScript that `npm run build`
// (the `prepare` step of `npm ci`) compiles into dist/, so no TypeScript
// loader sits between the shell and the first sample.
//
// The first line starts Node with glibc's malloc on transparent huge pages
// (ignored where glibc or the kernel has none): a job maps hundreds of
// megabytes of fresh typed arrays, and on the 2-core VMs we measure on
// mapping a page costs ~10 µs: 64 MiB copied into fresh memory took 160 ms on
// small pages and 55–110 ms on huge ones (a copy into mapped memory: 4 ms).
// `node bin/audo-eq.mjs …` runs without it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/audo-eq.js', import.meta.url);
if (!existsSync(main)) {
  // A checkout whose build has not run (npm install --ignore-scripts, a fresh clone).
  console.error('audo-eq: dist/ is not built; run npm run build (npm ci runs it)');
  process.exit(1);
}
await import(main.href);
