// Starts a tap thread, measures one block on it and never closes it: the
// process must still end by itself (an idle tap thread does not hold it open).
import { startTapThread } from '../../../runtimes/node/tap-thread.ts';

const host = await startTapThread().ready;
if (!host) throw new Error('the tap thread did not start');
const tap = host.open({ kind: 'sample-peaks', length: 4 });
tap.push([Float32Array.from([0.1, -0.5, 0.25, 0])]);
console.log(`peaks ${Array.from(tap.result()).join(' ')}`);
