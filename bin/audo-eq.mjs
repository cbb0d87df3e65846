#!/usr/bin/env node
// Launcher for the `audo-eq` CLI: runs the JavaScript that `npm run build`
// (the `prepare` step of `npm ci`) compiles into dist/, so no TypeScript
// loader sits between the shell and the first sample.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/audo-eq.js', import.meta.url);
if (!existsSync(main)) {
  // A checkout whose build has not run (npm install --ignore-scripts, a fresh clone).
  console.error('audo-eq: dist/ is not built; run npm run build (npm ci runs it)');
  process.exit(1);
}
await import(main.href);
