#!/usr/bin/env node
// Launcher for the `audo-eq` CLI: runs the JavaScript that `npm run build`
// (the `prepare` step of `npm ci`) compiles into dist/, so no TypeScript
// loader sits between the shell and the first sample.
await import('../dist/runtimes/node/cli/main.js');
