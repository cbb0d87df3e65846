// runMasteringJob's curveStoreFor: asked once, after the references are in,
// for a render at the target's own rate and length, and the render keeps its
// limiter curve there (the master is the same bytes as with its default);
// never asked for a preview or another output rate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryTrackStore } from '../../core/audio/pcm-source.ts';
import { runMasteringJob } from '../../core/app/mastering-job.ts';
import type { MasteringJob } from '../../core/app/ports.ts';
import type { AnalyzedReference } from '../../core/app/reference-analysis.ts';
import { analyzeReferenceUploads } from '../../core/app/reference-analysis.ts';
import type { CurveStoreFactory } from '../../core/mastering/convergence.ts';
import { DEFAULT_MASTERING_OPTIONS, type MasteringRequestOptions } from '../../core/mastering/options.ts';
import { fixtureUpload } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';

const file = (path: string) => fixtureUpload(path, 4);
const job = (options: Partial<MasteringRequestOptions> = {}): MasteringJob => ({
  correlationId: 'curve-1',
  target: file('indie_pop/target.wav'),
  reference: file('indie_pop/reference.wav'),
  options: { ...DEFAULT_MASTERING_OPTIONS, ...options },
});

test('the curve store is asked for once the references are in, with the target\'s rate and length, and the render keeps its curve there', async () => {
  let referencesDone = false;
  const asked: { sampleRateHz: number; length: number; referencesDone: boolean }[] = [];
  const made: { length: number; channelCount: number }[] = [];
  const curveStoreFor = (shape: { sampleRateHz: number; length: number }): CurveStoreFactory => {
    asked.push({ ...shape, referencesDone });
    return (curveShape) => {
      made.push({ length: curveShape.length, channelCount: curveShape.channelCount });
      return memoryTrackStore([new Float32Array(curveShape.length)], curveShape.sampleRateHz);
    };
  };
  // An analyzer "elsewhere" that says when it is done.
  const referenceAnalyzer = async (uploads: Parameters<typeof analyzeReferenceUploads>[0], policy: Parameters<typeof analyzeReferenceUploads>[1]): Promise<AnalyzedReference[]> => {
    const analyzed = await analyzeReferenceUploads(uploads, policy);
    referencesDone = true;
    return analyzed;
  };
  const withStore = await runMasteringJob(job(), { referenceAnalyzer, curveStoreFor });
  const plain = await runMasteringJob(job(), {});
  assert.ok(Buffer.from(withStore.wav).equals(Buffer.from(plain.wav)), 'the same master');
  const { sampleRateHz, frames } = readWavInfo(plain.wav);
  assert.equal(asked, [{ sampleRateHz, length: frames, referencesDone: true }]);
  assert.equal(made, [{ length: frames, channelCount: 1 }]);
});

test('a preview or another output rate does not ask for a curve store', async () => {
  let asked = 0;
  const curveStoreFor = () => {
    asked++;
    return undefined;
  };
  await runMasteringJob(job({ preview: true }), { curveStoreFor });
  await runMasteringJob(job({ outputSampleRateHz: 48000 }), { curveStoreFor });
  assert.is(asked, 0);
  await runMasteringJob(job(), { curveStoreFor });
  assert.is(asked, 1, 'a full render at its own rate does');
});

test.run();
