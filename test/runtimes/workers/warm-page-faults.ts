// Counts the page faults of writing one word per page of a 64 MiB shared
// buffer, warmed by a tap thread first and not (a fresh process, and buffers
// over glibc's largest mmap threshold, so each is memory the process has
// never touched); prints {pages, warmFaults, coldFaults} as JSON.
import { startTapThread } from '../../../runtimes/node/tap-thread.ts';

const BYTES = 64 * 1024 * 1024;
const pages = BYTES / 4096;

function faultsWriting(floats: Float32Array): number {
  const before = process.resourceUsage().minorPageFault;
  for (let page = 0; page < pages; page++) floats[page * 1024 + 1] = page;
  return process.resourceUsage().minorPageFault - before;
}

const thread = startTapThread();
if (!(await thread.ready)) throw new Error('the tap thread did not start');
const cold = new Float32Array(new SharedArrayBuffer(BYTES));
const coldFaults = faultsWriting(cold);
const warm = new SharedArrayBuffer(BYTES);
await thread.warm(warm);
const warmFaults = faultsWriting(new Float32Array(warm));
await thread.close();
console.log(JSON.stringify({ pages, warmFaults, coldFaults }));
