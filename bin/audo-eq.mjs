#!/usr/bin/env node
// Launcher for the `audo-eq` CLI: runs the JavaScript that `npm run build`
// (the `prepare` step of `npm ci`) compiles into dist/, so no TypeScript
// loader sits between the shell and the first sample.
//
// It leaves glibc's malloc as the environment sets it. `npm start`, `npm run
// worker` and the image run Node with GLIBC_TUNABLES=glibc.malloc.hugetlb=1
// (README, "Set up"); setting it here would take `#!/usr/bin/env -S`, which
// BusyBox's env (Alpine) and coreutils before 8.30 refuse, so the command
// would not start at all there, or a second Node start-up (~0.1 s) and
// signal forwarding that delivers a terminal's Ctrl-C twice.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/audo-eq.js', import.meta.url);
if (!existsSync(main)) {
  // A checkout whose build has not run (npm install --ignore-scripts, a fresh clone).
  console.error('audo-eq: dist/ is not built; run npm run build (npm ci runs it)');
  process.exit(1);
}
await import(main.href);
