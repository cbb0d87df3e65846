// A worker thread falls idle after its last job: it lets go of the scratch
// memory its jobs handed back for their own later phases (core's scratch
// pool), as it lets go of the rest of their memory, but never while a job runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handBackScratch, releaseScratch, takeScratch } from '../../core/dsp/scratch-memory.ts';
import { createIdleCollector } from '../../runtimes/node/idle-collector.ts';

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 5));

test.before.each(() => releaseScratch());

test('once no job runs, the scratch a job handed back is let go', async () => {
  const idle = createIdleCollector();
  const kept = new ArrayBuffer(4096);
  idle.busy();
  handBackScratch(kept);
  idle.done();
  await nextTurn();
  assert.is.not(takeScratch(4096), kept);
});

test('while another job runs, its scratch stays for its later phases', async () => {
  const idle = createIdleCollector();
  const kept = new ArrayBuffer(4096);
  idle.busy();
  idle.busy();
  handBackScratch(kept);
  idle.done();
  await nextTurn();
  assert.is(takeScratch(4096), kept);
  idle.done();
});

test.run();
