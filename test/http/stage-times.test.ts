// X-Mastering-Diagnostics times every stage of a request, not only the
// mastering core's: receiving and parsing the upload, decoding and analysing
// the reference (reference_ms on the job's thread; reference_wait_ms where a
// pool analyses it on another thread meanwhile), decoding the target, the
// core's stages, and encoding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeWav } from '../../core/audio/wav-encode.ts';
import { createInProcessRunner } from '../../core/app/in-process-runner.ts';
import { createApp } from '../../core/http/app.ts';
import { multipartForm } from '../support/doubles.ts';

function tone(seconds: number, hz: number, amplitude: number): Uint8Array {
  const sampleRateHz = 44100;
  const left = Float32Array.from({ length: seconds * sampleRateHz }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRateHz) * (1 + 0.3 * Math.sin(i / 5000)) / 1.3);
  return encodeWav({ sampleRateHz, channels: [left, left.map((v) => v * 0.8)] }, { bitDepth: 24 });
}

test('stage_ms holds upload, reference, target decode, the core stages and encode, in that order', async () => {
  const app = createApp({ runner: createInProcessRunner() });
  const response = await app(
    new Request('http://local/master?eq_mode=reference-match', { method: 'POST', body: multipartForm({ target: tone(4, 220, 0.1), reference: tone(4, 330, 0.5) }) }),
  );
  assert.is(response.status, 200, await response.clone().text());
  const stages = JSON.parse(response.headers.get('x-mastering-diagnostics') ?? '{}').stage_ms as Record<string, number>;
  const names = Object.keys(stages);
  assert.equal(names.slice(0, 3), ['upload_ms', 'reference_ms', 'target_decode_ms'], names.join(' '));
  assert.is(names[names.length - 1], 'encode_ms');
  for (const core of ['analysis_ms', 'decision_ms', 'render_ms']) assert.ok(names.includes(core), `${core} in ${names.join(' ')}`);
  for (const [name, ms] of Object.entries(stages)) assert.ok(Number.isFinite(ms) && ms >= 0, `${name}: ${ms}`);
  // Decoding and analysing 4 s of audio take measurable time; a stage that is never timed reads 0.
  assert.ok(stages.reference_ms > 0 && stages.target_decode_ms > 0);
  await response.arrayBuffer();
});

test.run();
