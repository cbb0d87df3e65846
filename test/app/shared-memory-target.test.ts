// runMasteringJob with a tap host that can measure a track in shared memory
// (the pool worker's tap thread): the target is decoded there, the host
// measures the equalised track from the render's own copy, and the master is
// the same bytes as without; a host that cannot gets ordinary memory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runMasteringJob } from '../../core/app/mastering-job.ts';
import type { MasteringJob } from '../../core/app/ports.ts';
import { DEFAULT_MASTERING_OPTIONS, type MasteringRequestOptions } from '../../core/mastering/options.ts';
import { createTap, type TapHost } from '../../core/mastering/tap-host.ts';
import { fixtureUpload } from '../support/fixtures.ts';

const file = (path: string) => fixtureUpload(path, 4);
const job = (options: Partial<MasteringRequestOptions> = {}): MasteringJob => ({
  correlationId: 'shared-1',
  target: file('indie_pop/target.wav'),
  reference: file('indie_pop/reference.wav'),
  options: { ...DEFAULT_MASTERING_OPTIONS, ...options },
});

test('with a tap host that measures from shared memory, the target is decoded there and the host measures the equalised track from it; the master is the same bytes', async () => {
  const measured: { kind: string; shared: boolean }[] = [];
  const tapHost: TapHost = {
    open: createTap,
    measureShared(spec, channels, blockFrames) {
      measured.push({ kind: spec.kind, shared: channels.every((samples) => samples.buffer instanceof SharedArrayBuffer) });
      return {
        result() {
          const tap = createTap(spec);
          for (let start = 0; start < channels[0].length; start += blockFrames) tap.push(channels.map((samples) => samples.subarray(start, start + blockFrames)));
          return tap.result();
        },
      };
    },
  };
  const hosted = await runMasteringJob(job({ eqMode: 'fixed' }), { tapHost });
  const plain = await runMasteringJob(job({ eqMode: 'fixed' }), {});
  assert.ok(Buffer.from(hosted.wav).equals(Buffer.from(plain.wav)), 'the same master');
  assert.equal(measured, [{ kind: 'side-spectrum', shared: true }]);
  // A host that cannot reach shared memory gets the target in ordinary memory and measures nothing from it.
  const { measureShared: _unused, ...openOnly } = tapHost;
  const unshared = await runMasteringJob(job({ eqMode: 'fixed' }), { tapHost: openOnly });
  assert.ok(Buffer.from(unshared.wav).equals(Buffer.from(plain.wav)));
  assert.is(measured.length, 1);
});

test.run();
