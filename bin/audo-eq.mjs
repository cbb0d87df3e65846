#!/bin/sh
":" //; export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=16777216:glibc.malloc.trim_threshold=134217728:glibc.malloc.top_pad=33554432:glibc.malloc.arena_max=1}"; exec node "$0" "$@"
// Launcher for the `audo-eq` CLI: runs the JavaScript that `npm run build`
// (the `prepare` step of `npm ci`) compiles into dist/, so no TypeScript
// loader sits between the shell and the first sample.
//
// This file is both a shell script and a JavaScript module. Run as a command,
// sh reads the two lines above: `":"` is its no-op and the rest sets glibc's
// malloc (unless GLIBC_TUNABLES is already set) as a process that masters one
// track and exits wants it:
// - on transparent huge pages, as `npm start` and the image do (README, "Set
//   up": on the VMs we measure on a fresh page costs ~10 µs to map, and a
//   master maps hundreds of megabytes);
// - keeping what a master frees for what it asks next: blocks up to 16 MiB
//   come from the heap rather than fresh mappings, up to 128 MiB freed at its
//   top stays mapped, and the heap grows 32 MiB at a time (a 3-minute master
//   then maps ~11,000 pages instead of ~27,000: 0.05-0.1 s less wall time,
//   0.2 s less CPU, ~20 MB more peak RSS; a process that exits has no use
//   for memory given back; the server, which lives on, keeps glibc's
//   defaults);
// - larger blocks as fresh mappings: the 3-minute working copy's channels and
//   the limiter's curve (32 MB each) taken from the heap were cleared by
//   calloc on the render's thread first (5-7 ms each, ~90 ms on a cold VM),
//   where fresh ones are zero as mapped and the curve's pages come in on the
//   tap thread (16 against 32 MiB, 12 ABBA pairs: reference-match 1.595 ->
//   1.545 s, fixed the same; an hour, one run each, 35.6 -> 32.0 s);
// - in one arena for all threads: the tap thread's allocations otherwise come
//   from an arena of their own, whose freed memory the render's thread cannot
//   take (0.04-0.07 s less wall time, 0.07 s less system time, 5-30 MB less
//   peak RSS on a 3-minute master);
// and then replaces itself with Node on this same file: one Node process, so a
// terminal's Ctrl-C reaches it once, and no second start-up. Node reads the
// first line as a string and a comment. `node bin/audo-eq.mjs` starts here
// directly, with the environment as it is. (`#!/usr/bin/env -S node` with the
// variable would do the same in one line, but BusyBox's env and coreutils
// before 8.30 refuse `-S`; every system has a /bin/sh.)
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/audo-eq.js', import.meta.url);
if (!existsSync(main)) {
  // A checkout whose build has not run (npm install --ignore-scripts, a fresh clone).
  console.error('audo-eq: dist/ is not built; run npm run build (npm ci runs it)');
  process.exit(1);
}
await import(main.href);
