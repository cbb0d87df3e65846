// The pool ↔ worker protocol on its own: which buffers move, how errors cross
// as data and come back as the same classes and codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageChannel } from 'node:worker_threads';
import {
  answerJobMessage,
  deliverReply,
  errorFromWire,
  errorToWire,
  analysisJobMessage,
  masterJobMessage,
  ownedBytes,
  type WorkerReply,
} from '../../core/app/worker-protocol.ts';
import { AudoEqError, IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import { runAnalysisJob } from '../../core/app/in-process-analysis-runner.ts';
import { runMasteringJob } from '../../core/app/mastering-job.ts';
import type { AnalysisJobResult, MasteringJobResult } from '../../core/app/ports.ts';
import { tinyWav } from '../support/doubles.ts';
import { sampleDiagnostics } from '../support/diagnostics.ts';

test('bytes spanning their whole buffer are moved as they are', () => {
  const bytes = new Uint8Array(64).fill(7);
  const owned = ownedBytes(bytes);
  assert.is(owned.bytes, bytes);
  assert.is(owned.buffer, bytes.buffer);
});

test('a view into a larger buffer is copied once, so its neighbours stay with the caller', () => {
  const backing = new Uint8Array(100).map((_, i) => i);
  const view = backing.subarray(10, 30);
  const owned = ownedBytes(view);
  assert.is.not(owned.buffer, backing.buffer);
  assert.is(owned.buffer.byteLength, 20);
  assert.equal([...owned.bytes], [...view]);
});

test('a job message transfers both uploads and leaves views into shared buffers readable by the caller', () => {
  const target = tinyWav(400);
  const shared = new Uint8Array(tinyWav(800).byteLength + 16);
  shared.set(tinyWav(800), 8);
  const reference = shared.subarray(8, 8 + tinyWav(800).byteLength);
  const { message, transfer } = masterJobMessage(3, { correlationId: 'p-1', target: { bytes: target }, reference: { bytes: reference }, options: DEFAULT_MASTERING_OPTIONS });
  assert.is(message.jobId, 3);
  assert.is(transfer.length, 2);
  assert.ok(transfer.includes(target.buffer as ArrayBuffer), 'the owned upload moves as is');
  assert.not.ok(transfer.includes(shared.buffer as ArrayBuffer), 'the shared buffer is not moved');
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(message, transfer);
  port1.close();
  port2.close();
  assert.is(target.byteLength, 0, 'the caller no longer holds the moved upload');
  assert.is(reference.byteLength, tinyWav(800).byteLength, 'the view into a shared buffer is untouched');
});

test('an ingest error crosses as data and comes back as IngestValidationError with its code, message and details', () => {
  const wire = errorToWire(new IngestValidationError('corrupted_file', 'The WAV data chunk is short.', { part: 'reference', claimed_bytes: 10 }));
  const cloned = structuredClone(wire);
  const error = errorFromWire(cloned);
  assert.instance(error, IngestValidationError);
  assert.equal(
    { code: (error as IngestValidationError).code, message: error.message, details: (error as IngestValidationError).details },
    { code: 'corrupted_file', message: 'The WAV data chunk is short.', details: { part: 'reference', claimed_bytes: 10 } },
  );
});

test('a product error that is not about ingest comes back as AudoEqError, not IngestValidationError', () => {
  const error = errorFromWire(structuredClone(errorToWire(new AudoEqError('overloaded', undefined, { retry_after_seconds: 5 }))));
  assert.instance(error, AudoEqError);
  assert.not.instance(error, IngestValidationError);
  assert.is((error as AudoEqError).code, 'overloaded');
  assert.is((error as AudoEqError).status, 503);
});

test('an unexpected error keeps its name, message and stack for the log but never becomes a product error', () => {
  const original = new RangeError('offset 12 is out of bounds');
  const error = errorFromWire(structuredClone(errorToWire(original)));
  assert.not.instance(error, AudoEqError);
  assert.is(error.name, 'RangeError');
  assert.is(error.message, 'offset 12 is out of bounds');
  assert.is(error.stack, original.stack);
});

test('a wire error naming a code outside the error table is treated as unexpected', () => {
  const error = errorFromWire({ kind: 'product', code: 'toString' as never, message: 'forged' });
  assert.not.instance(error, AudoEqError);
});

test('a worker answers a job with the mastered WAV moved back and the events in pipeline order', async () => {
  const job = { correlationId: 'p-2', target: { bytes: tinyWav(8000), filename: 't.wav' }, reference: { bytes: tinyWav(8000), filename: 'r.wav' }, options: DEFAULT_MASTERING_OPTIONS };
  const { message, transfer } = await answerJobMessage({ type: 'master', jobId: 9, job });
  assert.is(message.type, 'result');
  if (message.type !== 'result') return;
  const result = message.result as MasteringJobResult;
  assert.is(message.jobId, 9);
  assert.equal(transfer, [result.wav.buffer]);
  assert.is(result.events[0].name, 'IngestValidated');
  assert.ok(result.events.every((event) => event.correlationId === 'p-2'));
});

test('a worker releases each upload it owns once decoded (a long upload does not stay beside its samples); a view into a larger buffer is left alone; the master is the same', async () => {
  const jobWith = (reference: Uint8Array) => ({
    correlationId: 'p-release',
    target: { bytes: tinyWav(8000), filename: 't.wav' },
    reference: { bytes: reference, filename: 'r.wav' },
    options: DEFAULT_MASTERING_OPTIONS,
  });
  const kept = await runMasteringJob(jobWith(tinyWav(8000)));
  const owned = jobWith(tinyWav(8000));
  const answer = await answerJobMessage({ type: 'master', jobId: 11, job: owned });
  assert.is(answer.message.type, 'result');
  assert.is(owned.target.bytes.byteLength, 0, 'the target upload is released');
  assert.is(owned.reference.bytes.byteLength, 0, 'the reference upload is released');
  const result = (answer.message as { result: MasteringJobResult }).result;
  assert.ok(Buffer.from(result.wav).equals(Buffer.from(kept.wav)), 'the same WAV');
  // A view into a larger buffer (not the worker's own) stays readable.
  const wav = tinyWav(8000);
  const larger = new Uint8Array(wav.byteLength + 16);
  larger.set(wav, 8);
  const view = jobWith(larger.subarray(8, 8 + wav.byteLength));
  await answerJobMessage({ type: 'master', jobId: 12, job: view });
  assert.is(view.reference.bytes.byteLength, wav.byteLength);
  // Without the setting (an in-process caller's own arrays), nothing is released.
  const callers = jobWith(tinyWav(8000));
  await runMasteringJob(callers);
  assert.ok(callers.target.bytes.byteLength > 0 && callers.reference.bytes.byteLength > 0);
});

test('a worker answers a bad upload with the failure as data naming the part', async () => {
  const job = { correlationId: 'p-3', target: { bytes: tinyWav(8000) }, reference: { bytes: new TextEncoder().encode('plain words, not audio at all') }, options: DEFAULT_MASTERING_OPTIONS };
  const { message, transfer } = await answerJobMessage({ type: 'master', jobId: 4, job });
  assert.equal(transfer, []);
  assert.is(message.type, 'failure');
  if (message.type !== 'failure') return;
  assert.is(message.error.code, 'unsupported_container');
  assert.is(message.error.details?.part, 'reference');
});

test('an analysis job moves its upload, and the worker answers with the same measurements the in-process analysis gives', async () => {
  const upload = tinyWav(16000);
  const { message, transfer } = analysisJobMessage(11, { correlationId: 'a-1', file: { bytes: upload, filename: 'mix.wav' } });
  assert.equal(transfer, [upload.buffer]);
  const answer = await answerJobMessage(structuredClone(message));
  assert.is(answer.message.type, 'result');
  const inProcess = await runAnalysisJob({ correlationId: 'a-1', file: { bytes: tinyWav(16000), filename: 'mix.wav' } });
  assert.equal((answer.message as { result: AnalysisJobResult }).result, inProcess);
});

test('a bad upload to an analysis job fails with its code and part file', async () => {
  const { message } = analysisJobMessage(12, { correlationId: 'a-2', file: { bytes: new TextEncoder().encode('not audio, only words') } });
  const answer = await answerJobMessage(message);
  assert.is(answer.message.type, 'failure');
  if (answer.message.type !== 'failure') return;
  assert.equal([answer.message.error.code, answer.message.error.details?.part], ['unsupported_container', 'file']);
});

test('a result that cannot be cloned is delivered as that job failure instead of never', () => {
  const posted: WorkerReply[] = [];
  const post = (reply: WorkerReply) => {
    if (reply.type === 'result') structuredClone(reply); // throws: a function is not clonable
    posted.push(reply);
  };
  const result = { wav: new Uint8Array(4), policies: { policyVersion: 'v1', ingestPolicyId: 'i', normalizationPolicyId: 'n' }, diagnostics: Object.assign(sampleDiagnostics(), { oops: () => 1 }), events: [] };
  deliverReply(post, { message: { type: 'result', jobId: 5, result }, transfer: [] });
  assert.is(posted.length, 1);
  assert.is(posted[0].type, 'failure');
  assert.is((posted[0] as { jobId: number }).jobId, 5);
});

test.run();
