// Warnings and the silent-reference refusal over real HTTP against the Node
// server process: X-Mastering-Warnings, the diagnostics' warnings, the
// MasteringWarned event in the log, job documents; generated material triggers
// each code, clean material none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { jsonLogRecords, postMaster, waitForOutput } from '../support/http-client.ts';
import { buildWarningMaterial, warningHeaderItems, type WarningMaterial } from '../support/warning-material.ts';
import { decodeAudio } from '../../core/audio/decode.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-warnings-'));
let server: RunningServer;
let material: WarningMaterial;

test.before(async () => {
  material = await buildWarningMaterial();
  const [command, args] = nodeServerCommand();
  server = await startServer(command, args, { AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir, AUDO_EQ_WORKERS: '1' });
});
test.after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function masterWith(target: Uint8Array, reference: Uint8Array, query = '') {
  const correlationId = `warnings-${crypto.randomUUID()}`;
  const response = await postMaster(server.baseUrl, target, reference, { query, headers: { 'X-Correlation-Id': correlationId } });
  const body = new Uint8Array(await response.arrayBuffer());
  assert.is(response.status, 200, new TextDecoder().decode(body.slice(0, 300)));
  const header = response.headers.get('x-mastering-warnings');
  const diagnostics = JSON.parse(response.headers.get('x-mastering-diagnostics') ?? '{}');
  return { correlationId, body, header, items: warningHeaderItems(header), warnings: diagnostics.warnings as Array<Record<string, unknown>> };
}

function assertHeaderMatchesDiagnostics(header: string | null, warnings: Array<Record<string, unknown>>) {
  assert.ok(header !== null);
  assert.match(header!, /^[\x20-\x7e]+$/);
  assert.ok(header!.length <= 1024);
  const items = warningHeaderItems(header);
  assert.equal(items.map((item) => item.code), warnings.map((warning) => warning.code));
  for (const warning of warnings) assert.type(warning.message, 'string');
}

async function warnedEventFor(correlationId: string) {
  await waitForOutput(server.output, (text) => text.includes(correlationId) && text.includes('MasteringWarned'));
  return jsonLogRecords(server.output()).find((r) => r.message === 'domain_event_emitted' && r.correlation_id === correlationId && r.event_name === 'MasteringWarned');
}

test('clean material: no X-Mastering-Warnings, an empty warnings list, no MasteringWarned event', async () => {
  const { header, warnings, correlationId } = await masterWith(material.cleanTarget, material.cleanReference, '?eq_mode=reference-match');
  assert.is(header, null);
  assert.equal(warnings, []);
  await waitForOutput(server.output, (text) => text.includes(correlationId) && text.includes('ArtifactStored'));
  assert.not.ok(jsonLogRecords(server.output()).some((r) => r.correlation_id === correlationId && r.event_name === 'MasteringWarned'));
});

test('a clipped target against a band-limited reference: target_clipped and reference_band_limited in the header, the diagnostics and the event', async () => {
  const { header, items, warnings, correlationId } = await masterWith(material.clippedTarget, material.bandLimitedReference);
  assertHeaderMatchesDiagnostics(header, warnings);
  assert.equal(items.map((item) => item.code), ['target_clipped', 'reference_band_limited']);
  assert.ok(Number(items[0].parameters.clipped_runs) >= 10, header!);
  const cutoff = Number(items[1].parameters.cutoff_hz);
  assert.ok(cutoff > 9000 && cutoff < 12500, header!);
  const event = await warnedEventFor(correlationId);
  assert.ok(event, 'MasteringWarned logged');
  const logged = (event!.payload_summary as { warnings: Array<{ code: string }> }).warnings;
  assert.equal(logged.map((warning) => warning.code), ['target_clipped', 'reference_band_limited']);
});

test('a dynamic mono target, a 22.05 kHz reference and target_lufs=-5: loudness_goal_not_reached, reference_low_sample_rate, mono_target_stereo_reference', async () => {
  const { header, items, warnings } = await masterWith(material.dynamicMonoTarget, material.lowRateReference, '?target_lufs=-5');
  assertHeaderMatchesDiagnostics(header, warnings);
  assert.equal(items.map((item) => item.code), ['loudness_goal_not_reached', 'reference_low_sample_rate', 'mono_target_stereo_reference']);
  const goal = items[0].parameters;
  assert.is(Number(goal.goal_lufs), -5);
  assert.ok(Number(goal.short_by_lu) > 0.5, header!);
  assert.is(goal.goal_source, '"target_lufs"');
  assert.is(Number(items[1].parameters.reference_sample_rate_hz), 22050);
});

test('a silent target: 200 with a silent master and silent_target', async () => {
  const { body, items } = await masterWith(material.silence, material.cleanReference);
  assert.equal(items.map((item) => item.code), ['silent_target']);
  const output = await decodeAudio(body);
  assert.ok(output.channels.every((samples) => samples.every((x) => x === 0)));
});

test('a silent reference: 422 silent_reference without a loudness goal; with loudness_preset a master at the preset with silent_reference', async () => {
  const refused = await postMaster(server.baseUrl, material.cleanTarget, material.silence);
  assert.is(refused.status, 422);
  const { detail } = await refused.json();
  assert.is(detail.code, 'silent_reference');
  assert.is(detail.part, 'reference');
  assert.match(detail.message, /target_lufs or loudness_preset/);
  const { items, warnings } = await masterWith(material.cleanTarget, material.silence, '?loudness_preset=podcast');
  assert.equal(items.map((item) => item.code), ['silent_reference']);
  assert.match(String(warnings[0].message), /silent/);
});

async function postSeveral(target: Uint8Array, references: Uint8Array[]): Promise<Response> {
  const form = new FormData();
  form.append('target', new Blob([target as Uint8Array<ArrayBuffer>]), 'target.wav');
  references.forEach((reference, i) => form.append('reference', new Blob([reference as Uint8Array<ArrayBuffer>]), `reference-${i + 1}.wav`));
  return fetch(`${server.baseUrl}/master`, { method: 'POST', body: form });
}

test('several references: a silent one is left out with silent_reference naming it (1-based); all silent is 422 naming them all', async () => {
  const mixed = await postSeveral(material.cleanTarget, [material.cleanReference, material.silence]);
  assert.is(mixed.status, 200);
  const items = warningHeaderItems(mixed.headers.get('x-mastering-warnings'));
  assert.equal(items, [{ code: 'silent_reference', parameters: { reference_index: '2' } }]);
  const refused = await postSeveral(material.cleanTarget, [material.silence, material.silence]);
  assert.is(refused.status, 422);
  const { detail } = await refused.json();
  assert.is(detail.code, 'silent_reference');
  assert.equal(detail.reference_indices, [1, 2]);
});

async function finishedJob(target: Uint8Array, reference: Uint8Array): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append('target', new Blob([target as Uint8Array<ArrayBuffer>]), 'target.wav');
  form.append('reference', new Blob([reference as Uint8Array<ArrayBuffer>]), 'reference.wav');
  const submitted = await fetch(`${server.baseUrl}/jobs`, { method: 'POST', body: form });
  assert.is(submitted.status, 202);
  const { status_url } = await submitted.json();
  for (let poll = 0; poll < 600; poll++) {
    const document = await (await fetch(new URL(status_url, server.baseUrl))).json();
    if (['succeeded', 'failed', 'cancelled'].includes(document.status)) return document;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the job did not finish');
}

test('jobs: a finished job lists its warnings; a silent reference fails it with silent_reference', async () => {
  const warned = await finishedJob(material.clippedTarget, material.cleanReference);
  assert.is(warned.status, 'succeeded');
  assert.equal((warned.warnings as Array<{ code: string }>).map((warning) => warning.code), ['target_clipped']);
  const clean = await finishedJob(material.cleanTarget, material.cleanReference);
  assert.equal(clean.warnings, []);
  const failed = await finishedJob(material.cleanTarget, material.silence);
  assert.is(failed.status, 'failed');
  assert.is((failed.error as { code: string }).code, 'silent_reference');
});

test.run();
