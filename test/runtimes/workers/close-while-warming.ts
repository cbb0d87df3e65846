// Closes a tap thread whose warming finished while this thread was busy (a
// synchronous render), so its answer is still queued when close() is called:
// the close must finish with nothing else holding the process open (the
// queued answer let the thread go again mid-close, and the process ended
// with the close unsettled).
import { startTapThread } from '../../../runtimes/node/tap-thread.ts';

const thread = startTapThread();
if (!(await thread.ready)) throw new Error('the tap thread did not start');
const warmed = thread.warm(new SharedArrayBuffer(4 * 1024 * 1024));
// Let the request go out, then stay busy well past the warming.
await new Promise((resolve) => setTimeout(resolve, 0));
const busyUntil = performance.now() + 500;
while (performance.now() < busyUntil);
await thread.close();
await warmed;
console.log('closed');
