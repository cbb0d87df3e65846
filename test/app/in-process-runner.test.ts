import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import { IngestValidationError } from '../../core/domain/errors.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../core/mastering/options.ts';
import { fixtureUpload } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';

const file = (path: string, seconds = 3) => fixtureUpload(path, seconds);
const clock = { now: () => new Date('2026-03-04T05:06:07.000Z') };

test('the runner decodes both uploads, masters, encodes at the requested bit depth and reports the applied policies', async () => {
  const runner = createInProcessRunner({ clock });
  const result = await runner.run({
    correlationId: 'run-1',
    target: file('speech_mono_target/target.wav'),
    reference: file('speech_mono_target/reference.wav'),
    options: { ...DEFAULT_MASTERING_OPTIONS, bitDepth: 16 },
  });
  const wav = readWavInfo(result.wav);
  assert.is(wav.channels, 1, 'mono target stays mono');
  assert.is(wav.sampleRateHz, 44100);
  assert.is(wav.bitsPerSample, 16);
  assert.equal(result.policies, { policyVersion: 'v1', ingestPolicyId: 'ingest-validation-default', normalizationPolicyId: 'pcm-canonical-default' });
  assert.type(result.diagnostics.profile, 'string');
});

test('events come back in pipeline order, starting with IngestValidated summarising both files', async () => {
  const result = await createInProcessRunner({ clock }).run({
    correlationId: 'run-2',
    target: file('indie_pop/target.wav'),
    reference: file('indie_pop/reference.wav'),
    options: DEFAULT_MASTERING_OPTIONS,
  });
  const names = result.events.map((event) => event.name);
  assert.is(names[0], 'IngestValidated');
  for (const name of ['TrackAnalyzed', 'MasteringDecided', 'MasteringRendered'] as const) assert.ok(names.includes(name), name);
  assert.ok(names.indexOf('MasteringDecided') < names.indexOf('MasteringRendered'));
  assert.ok(result.events.every((event) => event.correlationId === 'run-2'));
  const ingest = result.events[0];
  assert.is(ingest.occurredAt, '2026-03-04T05:06:07.000Z');
  assert.equal(ingest.payload.target, { container: 'wav', codec: 'pcm_s16le', bit_depth: 16, sample_rate_hz: 44100, channels: 2, duration_seconds: 3, size_bytes: file('indie_pop/target.wav').bytes.byteLength });
  assert.is((ingest.payload.reference as { duration_seconds: number }).duration_seconds, 3);
});

test('an ingest error names the part that failed', async () => {
  const runner = createInProcessRunner();
  const bad = { bytes: new TextEncoder().encode('not audio at all, just a sentence or two of text'), filename: 'notes.wav' };
  for (const part of ['target', 'reference'] as const) {
    const job = { correlationId: 'run-3', target: file('indie_pop/target.wav'), reference: file('indie_pop/reference.wav'), options: DEFAULT_MASTERING_OPTIONS };
    const error = await runner.run({ ...job, [part]: bad }).then(() => null, (e: unknown) => e);
    assert.instance(error, IngestValidationError);
    assert.is((error as IngestValidationError).code, 'unsupported_container');
    assert.is((error as IngestValidationError).details.part, part);
  }
});

test.run();
