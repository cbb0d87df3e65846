// Strict input over real HTTP against the Node server process: a query
// parameter or multipart field a route does not read is 400 unknown_parameter
// naming it and the closest known name, on every API route; every known
// parameter is still accepted; documents and probes ignore parameters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASTER_QUERY_PARAMETERS } from '../../core/http/query.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-unknown-'));
const TARGET = buildPcmWav({ sampleRateHz: 44_100, channels: 2, frames: 44_100 * 2 });
const REFERENCE = buildPcmWav({ sampleRateHz: 48_000, channels: 2, frames: 48_000 * 2 });
let server: RunningServer;

test.before(async () => {
  const [command, args] = nodeServerCommand();
  server = await startServer(command, args, { AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir, AUDO_EQ_WORKERS: '1' });
});
test.after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function form(parts: Record<string, Uint8Array | string>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, new Blob([value as Uint8Array<ArrayBuffer>]), `${name}.wav`);
  }
  return body;
}

const call = (method: string, path: string, body?: FormData) => fetch(`${server.baseUrl}${path}`, { method, body });

async function expectUnknown(response: Response, parameter: string, location: 'query' | 'multipart', closest: string | null): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.is(response.status, 400, text);
  const { detail } = JSON.parse(text);
  assert.is(detail.code, 'unknown_parameter', text);
  assert.is(detail.parameter, parameter, text);
  assert.is(detail.location, location, text);
  assert.is(detail.closest, closest, text);
  assert.ok(detail.message.includes(`'${parameter}'`), detail.message);
  if (closest !== null) assert.ok(detail.message.includes(`'${closest}'`), detail.message);
  assert.ok(response.headers.get('x-correlation-id'));
  return detail;
}

test('POST /master: typos in query names are refused with the name meant (eq-mode → eq_mode, targetLufs → target_lufs, EQ_PRESET → eq_preset)', async () => {
  const masterForm = () => form({ target: TARGET, reference: REFERENCE });
  const detail = await expectUnknown(await call('POST', '/master?eq-mode=reference-match&targetLufs=-14', masterForm()), 'eq-mode', 'query', 'eq_mode');
  assert.match(String(detail.message), /did you mean 'eq_mode'\?/);
  assert.equal(detail.known_parameters, Object.keys(MASTER_QUERY_PARAMETERS));
  await expectUnknown(await call('POST', '/master?targetLufs=-14', masterForm()), 'targetLufs', 'query', 'target_lufs');
  await expectUnknown(await call('POST', '/master?EQ_PRESET=warm', masterForm()), 'EQ_PRESET', 'query', 'eq_preset');
  await expectUnknown(await call('POST', '/master?loudnes_preset=spotify', masterForm()), 'loudnes_preset', 'query', 'loudness_preset');
  await expectUnknown(await call('POST', '/master?ceiling=-1', masterForm()), 'ceiling', 'query', 'ceiling_dbtp');
  await expectUnknown(await call('POST', '/master?samplerate=48000', masterForm()), 'samplerate', 'query', 'sample_rate');
});

test('POST /master: every known query parameter together is accepted', async () => {
  const query = new URLSearchParams({
    eq_mode: 'reference-match',
    eq_preset: 'neutral',
    de_esser_mode: 'auto',
    profile: 'default',
    target_lufs: '-16',
    loudness_preset: 'spotify',
    ceiling_dbtp: '-1',
    strength: '80',
    match: 'loudness,tone',
    sample_rate: 'keep',
    preview: 'false',
    bit_depth: '16',
  });
  assert.equal([...query.keys()].sort(), Object.keys(MASTER_QUERY_PARAMETERS).sort(), 'the test names every parameter');
  const response = await call('POST', `/master?${query}`, form({ target: TARGET, reference: REFERENCE }));
  assert.is(response.status, 200, (await response.clone().text()).slice(0, 300));
  await response.arrayBuffer();
});

test('multipart: an unknown field on /master, /jobs and /analyze is refused with the field meant', async () => {
  await expectUnknown(await call('POST', '/master', form({ target: TARGET, referense: REFERENCE })), 'referense', 'multipart', 'reference');
  await expectUnknown(await call('POST', '/master', form({ target: TARGET, Reference: REFERENCE })), 'Reference', 'multipart', 'reference');
  // An option sent as a form field instead of in the query: the closest field is named, and the message lists the known ones.
  const misplaced = await expectUnknown(await call('POST', '/master', form({ target: TARGET, reference: REFERENCE, eq_mode: 'reference-match' })), 'eq_mode', 'multipart', 'target');
  assert.match(String(misplaced.message), /known: target, reference/);
  await expectUnknown(await call('POST', '/jobs', form({ targets: TARGET, reference: REFERENCE })), 'targets', 'multipart', 'target');
  await expectUnknown(await call('POST', '/analyze', form({ target: TARGET })), 'target', 'multipart', 'file');
});

test('the other API routes: /analyze and the job routes refuse parameters they do not read; limit, cursor and callback_url are known', async () => {
  await expectUnknown(await call('POST', '/analyze?verbose=1', form({ file: TARGET })), 'verbose', 'query', null);
  await expectUnknown(await call('POST', '/jobs?callbackUrl=https://example.com/hook', form({ target: TARGET, reference: REFERENCE })), 'callbackUrl', 'query', 'callback_url');
  await expectUnknown(await call('POST', '/jobs?eq-mode=fixed', form({ target: TARGET, reference: REFERENCE })), 'eq-mode', 'query', 'eq_mode');
  await expectUnknown(await call('GET', '/jobs?limt=5'), 'limt', 'query', 'limit');
  await expectUnknown(await call('GET', '/jobs?page=2'), 'page', 'query', 'limit');
  const listed = await call('GET', '/jobs?limit=5&cursor=');
  assert.is(listed.status, 200, await listed.clone().text());
  await listed.arrayBuffer();

  const accepted = await call('POST', '/jobs?eq_mode=fixed', form({ target: TARGET, reference: REFERENCE }));
  assert.is(accepted.status, 202, await accepted.clone().text());
  const { job_id: id } = await accepted.json();
  await expectUnknown(await call('GET', `/jobs/${id}?verbose=true`), 'verbose', 'query', null);
  await expectUnknown(await call('GET', `/jobs/${id}/result?format=wav`), 'format', 'query', null);
  await expectUnknown(await call('DELETE', `/jobs/${id}?force=1`), 'force', 'query', null);
  const document = await call('GET', `/jobs/${id}`);
  assert.is(document.status, 200);
  await document.arrayBuffer();
});

test('the page, documents and probes ignore parameters browsers and orchestrators add', async () => {
  for (const path of ['/?utm_source=newsletter', '/health?probe=1', '/ready?t=1', '/openapi.json?v=2', '/docs?x=1']) {
    const response = await call('GET', path);
    assert.is(response.status, 200, path);
    await response.arrayBuffer();
  }
});

test.run();
