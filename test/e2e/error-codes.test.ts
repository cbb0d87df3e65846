// Every error code of SPEC section 2, reached over real HTTP against the Node
// server process (storage faults and upload limits have their own files:
// storage-faults.test.ts, upload-limits.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_TABLE, type ErrorCode } from '../../core/domain/errors.ts';
import { MASTER_QUERY_PARAMETERS } from '../../core/http/query.ts';
import { createApp } from '../../core/http/app.ts';
import { toNodeListener } from '../../runtimes/node/fetch-adapter.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { ensureFixtures, fixturePath } from '../support/fixtures.ts';
import { postMaster } from '../support/http-client.ts';
import { multipartForm, tinyWav } from '../support/doubles.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

const API_KEY = 'errors-e2e-key-5d1c';
const auth = { 'X-Api-Key': API_KEY };
const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-errors-'));
const reference = () => fixturePath('indie_pop/reference.wav');
let server: RunningServer;

test.before(async () => {
  const [command, args] = nodeServerCommand();
  server = await startServer(command, args, {
    AUDO_EQ_STORAGE_BACKEND: 'filesystem',
    AUDO_EQ_DATA_DIR: dataDir,
    AUDO_EQ_API_KEYS: API_KEY,
    // One mastering at a time (one worker, nothing waiting): the overloaded test holds it.
    AUDO_EQ_WORKERS: '1',
    AUDO_EQ_MAX_PENDING: '0',
  });
});
test.after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function expectError(response: Response, code: ErrorCode): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.is(response.status, ERROR_TABLE[code].status, `${code}: ${text.slice(0, 300)}`);
  const { detail } = JSON.parse(text);
  assert.is(detail.code, code);
  assert.type(detail.message, 'string');
  assert.ok(response.headers.get('x-correlation-id'), 'X-Correlation-Id');
  return detail;
}

/** The outcomes the manifest allows for a malformed fixture: the codes it names, and 200 where it says so. */
function allowedOutcomes(expect: string): { codes: ErrorCode[]; ok: boolean } {
  const codes = (Object.keys(ERROR_TABLE) as ErrorCode[]).filter((code) => new RegExp(`\\b${code}\\b`).test(expect));
  return { codes, ok: /\b200\b|decode the whole frames/.test(expect) };
}

test('every malformed fixture, as target and as reference, answers a code its manifest allows with that code\'s status', async () => {
  for (const item of ensureFixtures().malformed) {
    const allowed = allowedOutcomes(item.expect);
    assert.ok(allowed.codes.length > 0 || allowed.ok, `manifest names no outcome for ${item.path}`);
    for (const side of ['target', 'reference'] as const) {
      const file = fixturePath(item.path);
      const response = side === 'target' ? await postMaster(server.baseUrl, file, reference(), { headers: auth }) : await postMaster(server.baseUrl, reference(), file, { headers: auth });
      const text = await response.text();
      if (response.status === 200) {
        assert.ok(allowed.ok, `${item.path} as ${side}: 200 but expected ${allowed.codes.join('|')}`);
        continue;
      }
      const { detail } = JSON.parse(text);
      assert.ok(allowed.codes.includes(detail.code), `${item.path} as ${side}: ${detail.code}, expected ${item.expect}`);
      assert.is(response.status, ERROR_TABLE[detail.code as ErrorCode].status, `${item.path} status`);
      assert.is(detail.part, side, `${item.path}: part`);
    }
  }
});

test('ingest limits without a fixture (sample rate, channels, duration, MP3 header) answer their codes for the failing part', async () => {
  const cases: Array<[string, Uint8Array, string, ErrorCode]> = [
    ['4 kHz sample rate', buildPcmWav({ sampleRateHz: 4000, channels: 1, frames: 4000 }), 'low-rate.wav', 'invalid_sample_rate'],
    ['9 channels', buildPcmWav({ sampleRateHz: 8000, channels: 9, frames: 800 }), 'nine.wav', 'invalid_channel_count'],
    ['no samples', buildPcmWav({ sampleRateHz: 44100, channels: 2, frames: 0 }), 'empty-data.wav', 'invalid_duration'],
    ['3601 s of 8 kHz 8-bit mono (28.8 MB, all present)', buildPcmWav({ sampleRateHz: 8000, channels: 1, frames: 8000 * 3601, bitsPerSample: 8 }), 'long.wav', 'duration_too_long'],
    ['text named .mp3', new TextEncoder().encode('this is not an mp3 frame, just words'.repeat(20)), 'words.mp3', 'mp3_malformed_header'],
  ];
  for (const [what, bytes, filename, code] of cases) {
    const asReference = await postMaster(server.baseUrl, reference(), bytes, { headers: auth, filenames: { reference: filename } });
    const detail = await expectError(asReference, code);
    assert.is(detail.part, 'reference', what);
  }
});

test('every bad query value answers invalid_query_parameter with the parameter and its allowed values', async () => {
  const bad: Record<string, string> = { eq_mode: 'Loudest', eq_preset: 'dark', de_esser_mode: 'sometimes', profile: 'extreme', target_lufs: '-40', bit_depth: '12' };
  for (const [parameter, value] of Object.entries(bad)) {
    const detail = await expectError(await postMaster(server.baseUrl, reference(), reference(), { query: `?${parameter}=${value}`, headers: auth }), 'invalid_query_parameter');
    assert.is(detail.parameter, parameter);
    assert.equal(detail.allowed_values, [...MASTER_QUERY_PARAMETERS[parameter as keyof typeof MASTER_QUERY_PARAMETERS].allowed]);
  }
});

test('a missing part is missing_file and a body that is not multipart is invalid_payload', async () => {
  const missing = await fetch(`${server.baseUrl}/master`, { method: 'POST', headers: auth, body: multipartForm({ target: tinyWav() }) });
  assert.equal((await expectError(missing, 'missing_file')).missing_parts, ['reference']);
  const json = await fetch(`${server.baseUrl}/master`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"target":"x"}' });
  await expectError(json, 'invalid_payload');
});

test('with API keys configured, a request without a valid key is 401 unauthorized while /health stays open', async () => {
  await expectError(await postMaster(server.baseUrl, reference(), reference()), 'unauthorized');
  await expectError(await postMaster(server.baseUrl, reference(), reference(), { headers: { Authorization: 'Bearer not-the-key' } }), 'unauthorized');
  assert.is((await fetch(`${server.baseUrl}/health`)).status, 200);
});

test('an unknown route is 404 not_found and a wrong method is 405 method_not_allowed', async () => {
  await expectError(await fetch(`${server.baseUrl}/no/such/route`), 'not_found');
  const wrong = await fetch(`${server.baseUrl}/master`);
  await expectError(wrong, 'method_not_allowed');
  assert.is(wrong.headers.get('allow'), 'POST');
});

test('a second mastering while the only slot is busy is 503 overloaded with Retry-After', async () => {
  // Hold the slot: a request whose body never finishes.
  const boundary = 'hold-the-slot';
  const held = request(new URL('/master', server.baseUrl), {
    method: 'POST',
    headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  held.on('error', () => {});
  held.write(`--${boundary}\r\nContent-Disposition: form-data; name="target"; filename="t.wav"\r\n\r\n`);
  held.write(new Uint8Array(64 * 1024));
  try {
    let response: Response | undefined;
    // The held request is admitted asynchronously; poll (with a request that
    // fails fast when admitted: its reference part is missing) until the slot is taken.
    for (let attempt = 0; attempt < 50; attempt++) {
      response = await fetch(`${server.baseUrl}/master`, { method: 'POST', headers: auth, body: multipartForm({ target: tinyWav() }) });
      if (response.status === 503) break;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await expectError(response!, 'overloaded');
    assert.is(response!.headers.get('retry-after'), '5');
  } finally {
    held.destroy();
  }
});

test('an unexpected failure is 500 internal_error with a generic message', async () => {
  // No real component fails unexpectedly on purpose, so a runner that throws stands in, served over real HTTP.
  const app = createApp({ runner: { run: async () => { throw new RangeError('offset out of bounds in a private buffer'); } } });
  const httpServer: Server = createServer(toNodeListener(app));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  try {
    const response = await postMaster(`http://127.0.0.1:${(httpServer.address() as { port: number }).port}`, reference(), reference());
    const detail = await expectError(response, 'internal_error');
    assert.is(detail.message, ERROR_TABLE.internal_error.message);
  } finally {
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  }
});

test.run();
