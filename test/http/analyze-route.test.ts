// POST /analyze over real HTTP (node:http on 127.0.0.1, the real in-process
// analysis runner): the documented JSON shape, numbers that agree with ffmpeg,
// and every kind of bad input answered with the API's error codes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { AnalysisJob, AnalysisJobResult, AnalysisRunner, MasteringJob } from '../../core/app/ports.ts';
import { createApp, type AppOptions } from '../../core/http/app.ts';
import { ERROR_TABLE, type ErrorCode } from '../../core/domain/errors.ts';
import { toNodeListener } from '../../runtimes/node/fetch-adapter.ts';
import { createEchoRunner, tinyWav } from '../support/doubles.ts';
import { ensureFixtures, fixturePath, readFixture } from '../support/fixtures.ts';
import { ffmpegEbur128 } from '../support/ffmpeg-meter.ts';
import { hasFfmpeg } from '../support/ffmpeg.ts';
import { requireTool } from '../support/tools.ts';
import { buildPcmWav } from '../support/wav-builder.ts';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const servers: Server[] = [];

/** Serves `createApp(options)` on a free loopback port; returns its base URL. */
async function serve(options: Partial<AppOptions> = {}): Promise<string> {
  const server = createServer(toNodeListener(createApp({ runner: createEchoRunner(), ...options })));
  // This process blocks its own loop (ffmpeg runs synchronously), so the server's idle-socket timer and the
  // client's next request on that socket would fire together ("fetch failed"): idle sockets stay open here.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

let baseUrl = '';
test.before(async () => {
  baseUrl = await serve();
});
test.after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function analyze(bytes: Uint8Array, filename = 'track.wav', init: { url?: string; part?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const form = new FormData();
  form.append(init.part ?? 'file', new Blob([bytes as Uint8Array<ArrayBuffer>]), filename);
  return fetch(`${init.url ?? baseUrl}/analyze`, { method: 'POST', body: form, headers: init.headers });
}

async function expectError(response: Response, code: ErrorCode): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.is(response.status, ERROR_TABLE[code].status, `${code}: ${text.slice(0, 300)}`);
  const { detail } = JSON.parse(text);
  assert.is(detail.code, code);
  assert.type(detail.message, 'string');
  assert.ok(response.headers.get('x-correlation-id'));
  return detail;
}

/** A validator for the TrackAnalysis schema as /openapi.json documents it. */
async function documentedSchemaValidator() {
  const doc = await (await fetch(`${baseUrl}/openapi.json`)).json();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'urn:audo-eq:openapi', components: doc.components });
  const documented = doc.paths['/analyze'].post.responses['200'].content['application/json'].schema;
  return ajv.compile({ $ref: `urn:audo-eq:openapi${documented.$ref}` });
}

test('a WAV answers 200 JSON in the documented shape, with the correlation id', async () => {
  const validate = await documentedSchemaValidator();
  const response = await analyze(readFixture('indie_pop/target.wav'), 'target.wav', { headers: { 'X-Correlation-Id': 'analyze-1' } });
  assert.is(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.is(response.headers.get('x-correlation-id'), 'analyze-1');
  const body = (await response.json()) as Record<string, any>;
  assert.ok(validate(body), JSON.stringify(validate.errors, null, 2));
  assert.equal(body.source, { container: 'wav', codec: 'pcm_s16le', bit_depth: 16 });
  assert.is(body.sample_rate_hz, 44100);
  assert.is(body.channels, 2);
  assert.is(body.duration_seconds, 10);
  assert.is(body.spectrum.centres_hz[16], 1000);
  // 10 s: one short-term value per 100 ms from 3 s to 10 s.
  assert.is(body.short_term_loudness.lufs.length, 71);
  assert.ok(Math.abs(body.crest_factor_db - (body.sample_peak_dbfs - body.rms_dbfs)) < 0.02);
});

test('the validator rejects a body outside the documented shape (the check can fail)', async () => {
  const validate = await documentedSchemaValidator();
  const body = await (await analyze(readFixture('indie_pop/target.wav'))).json();
  assert.not.ok(validate({ ...body, integrated_lufs: 'loud' }));
  assert.not.ok(validate({ ...body, spectrum: { ...body.spectrum, levels_db: body.spectrum.levels_db.slice(1) } }));
  const { rms_dbfs: _dropped, ...missing } = body;
  assert.not.ok(validate(missing));
});

if (requireTool('ffmpeg', hasFfmpeg(), '/analyze against ffmpeg')) {
  // The meters' own agreement tolerances (test/dsp/ffmpeg-agreement.test.ts): ffmpeg bins LRA in a histogram.
  test('loudness, range and true peak agree with ffmpeg ebur128 on WAV, FLAC and MP3 inputs', async () => {
    const files = ['indie_pop/target.wav', 'synthwave_48k_24bit/target.flac', 'indie_pop/reference.mp3', 'speech_mono_target/target.wav'];
    for (const file of files) {
      const body = await (await analyze(readFixture(file), file.split('/').pop())).json();
      const reference = ffmpegEbur128(fixturePath(file));
      assert.ok(Math.abs(body.integrated_lufs - reference.integratedLufs) <= 0.1, `${file}: I ${body.integrated_lufs} vs ${reference.integratedLufs}`);
      assert.ok(Math.abs(body.loudness_range_lu - reference.loudnessRangeLu) <= 0.5, `${file}: LRA ${body.loudness_range_lu} vs ${reference.loudnessRangeLu}`);
      assert.ok(Math.abs(body.true_peak_dbtp - reference.truePeakDbtp!) <= 0.2, `${file}: TP ${body.true_peak_dbtp} vs ${reference.truePeakDbtp}`);
    }
  });
}

test('the source is reported as ingest found it: FLAC, MP3, mono', async () => {
  const flac = await (await analyze(readFixture('synthwave_48k_24bit/target.flac'), 'target.flac')).json();
  assert.equal(flac.source, { container: 'flac', codec: 'flac', bit_depth: 24 });
  assert.is(flac.sample_rate_hz, 48000);
  const mp3 = await (await analyze(readFixture('indie_pop/reference.mp3'), 'reference.mp3')).json();
  assert.equal(mp3.source, { container: 'mp3', codec: 'mp3', bit_depth: null });
  const mono = await (await analyze(readFixture('speech_mono_target/target.wav'))).json();
  assert.is(mono.channels, 1);
});

test('silence answers nulls, never NaN or Infinity', async () => {
  const response = await analyze(readFixture('malformed/silence.wav'));
  assert.is(response.status, 200);
  const text = await response.text();
  assert.not.match(text, /NaN|Infinity/);
  const body = JSON.parse(text);
  for (const key of ['integrated_lufs', 'true_peak_dbtp', 'sample_peak_dbfs', 'rms_dbfs', 'crest_factor_db']) assert.is(body[key], null, key);
  assert.ok(body.spectrum.levels_db.every((db: unknown) => db === null));
  assert.ok(body.short_term_loudness.lufs.every((lufs: unknown) => lufs === null));
});

test('audio shorter than the meters need answers 200 with nulls and an empty short-term series', async () => {
  const body = await (await analyze(tinyWav(800))).json();
  assert.is(body.duration_seconds, 0.1);
  assert.is(body.integrated_lufs, null);
  assert.is(body.loudness_range_lu, null);
  assert.equal(body.short_term_loudness.lufs, []);
  assert.type(body.sample_peak_dbfs, 'number');
});

test('every malformed fixture answers a code its manifest allows, naming the part file', async () => {
  for (const item of ensureFixtures().malformed) {
    const codes = (Object.keys(ERROR_TABLE) as ErrorCode[]).filter((code) => new RegExp(`\\b${code}\\b`).test(item.expect));
    const response = await analyze(readFixture(item.path), item.path.split('/').pop());
    const text = await response.text();
    if (response.status === 200) {
      assert.ok(/\b200\b|decode the whole frames/.test(item.expect), `${item.path}: 200 but expected ${item.expect}`);
      continue;
    }
    const { detail } = JSON.parse(text);
    assert.ok(codes.includes(detail.code), `${item.path}: ${detail.code}, expected ${item.expect}`);
    assert.is(response.status, ERROR_TABLE[detail.code as ErrorCode].status, `${item.path} status`);
    if (detail.code !== 'empty_file') assert.is(detail.part, 'file', `${item.path}: part`);
  }
});

test('ingest limits and a wrong extension answer their codes', async () => {
  await expectError(await analyze(buildPcmWav({ sampleRateHz: 4000, channels: 1, frames: 4000 })), 'invalid_sample_rate');
  await expectError(await analyze(buildPcmWav({ sampleRateHz: 8000, channels: 9, frames: 800 })), 'invalid_channel_count');
  await expectError(await analyze(buildPcmWav({ sampleRateHz: 44100, channels: 2, frames: 0 })), 'invalid_duration');
  const detail = await expectError(await analyze(tinyWav(), 'track.ogg'), 'unsupported_container');
  assert.is(detail.part, 'file');
});

test('a request without the file part, with an empty file, or not multipart answers 400 with the right code', async () => {
  const missing = await expectError(await fetch(`${baseUrl}/analyze`, { method: 'POST', body: new FormData() }), 'missing_file');
  assert.equal(missing.missing_parts, ['file']);
  const misnamed = await expectError(await analyze(tinyWav(), 'x.wav', { part: 'target' }), 'unknown_parameter');
  assert.equal([misnamed.parameter, misnamed.location, misnamed.closest], ['target', 'multipart', 'file']);
  const empty = await expectError(await analyze(new Uint8Array(0)), 'empty_file');
  assert.is(empty.part, 'file');
  const json = await fetch(`${baseUrl}/analyze`, { method: 'POST', body: '{"file":"x"}', headers: { 'content-type': 'application/json' } });
  const notMultipart = await expectError(json, 'invalid_payload');
  assert.match(String(notMultipart.message), /file part file/);
  const twice = new FormData();
  twice.append('file', new Blob([tinyWav() as Uint8Array<ArrayBuffer>]), 'a.wav');
  twice.append('file', new Blob([tinyWav() as Uint8Array<ArrayBuffer>]), 'b.wav');
  await expectError(await fetch(`${baseUrl}/analyze`, { method: 'POST', body: twice }), 'invalid_payload');
});

test('GET /analyze is 405 with Allow: POST', async () => {
  const response = await fetch(`${baseUrl}/analyze`);
  await expectError(response, 'method_not_allowed');
  assert.is(response.headers.get('allow'), 'POST');
});

test('a file over the per-file limit is file_too_large; a body that could hold only two files is 413', async () => {
  const url = await serve({ limits: { maxFileBytes: 4096, maxRequestBytes: 64 * 1024 * 1024 } });
  const tooBig = await expectError(await analyze(tinyWav(4000), 'big.wav', { url }), 'file_too_large');
  assert.is(tooBig.max_bytes, 4096);
  // The request limit for one file is the file limit plus 1 MiB of form overhead, not the two-file total.
  const body = new Uint8Array(3 * 1024 * 1024);
  const response = await fetch(`${url}/analyze`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(body.byteLength) },
  });
  const overall = await expectError(response, 'request_too_large');
  assert.is(overall.max_bytes, 4096 + 1024 * 1024);
});

test('with API keys configured /analyze needs one, as /master does', async () => {
  const url = await serve({ apiKeys: ['analyze-key-123'] });
  await expectError(await analyze(tinyWav(), 'a.wav', { url }), 'unauthorized');
  assert.is((await analyze(tinyWav(), 'a.wav', { url, headers: { 'X-Api-Key': 'analyze-key-123' } })).status, 200);
  assert.is((await analyze(tinyWav(), 'a.wav', { url, headers: { Authorization: 'Bearer analyze-key-123' } })).status, 200);
});

test('with CORS origins configured a browser on an allowed origin may call /analyze and read its correlation id', async () => {
  const url = await serve({ corsOrigins: ['https://studio.example'] });
  const preflight = await fetch(`${url}/analyze`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://studio.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
  });
  assert.is(preflight.status, 204);
  assert.is(preflight.headers.get('access-control-allow-origin'), 'https://studio.example');
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  const response = await analyze(tinyWav(), 'a.wav', { url, headers: { Origin: 'https://studio.example' } });
  assert.is(response.status, 200);
  assert.is(response.headers.get('access-control-allow-origin'), 'https://studio.example');
  assert.match(response.headers.get('access-control-expose-headers') ?? '', /X-Correlation-Id/);
  const other = await analyze(tinyWav(), 'a.wav', { url, headers: { Origin: 'https://elsewhere.example' } });
  assert.is(other.headers.get('access-control-allow-origin'), null);
});

/** An analysis runner that holds every job until released, recording what it was given. */
function createGatedAnalysisRunner() {
  const jobs: AnalysisJob[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runner: AnalysisRunner = {
    async runAnalysis(job): Promise<AnalysisJobResult> {
      jobs.push(job);
      await gate;
      const { runAnalysisJob } = await import('../../core/app/in-process-analysis-runner.ts');
      return runAnalysisJob(job);
    },
  };
  return { runner, jobs, release: () => release() };
}

test('analyses count toward the admission limit: beyond it the answer is 503 overloaded with Retry-After', async () => {
  const gated = createGatedAnalysisRunner();
  const url = await serve({ analysisRunner: gated.runner, maxPending: 0 });
  const first = analyze(tinyWav(), 'a.wav', { url, headers: { 'X-Correlation-Id': 'held-1' } });
  while (gated.jobs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const second = await analyze(tinyWav(), 'b.wav', { url });
  await expectError(second, 'overloaded');
  assert.is(second.headers.get('retry-after'), '5');
  gated.release();
  assert.is((await first).status, 200);
  assert.is(gated.jobs[0].correlationId, 'held-1');
  assert.is(gated.jobs[0].file.filename, 'a.wav');
  // The slot is free again.
  assert.is((await analyze(tinyWav(), 'c.wav', { url })).status, 200);
});

test('a mastering runner that can also run analyses (a worker pool) is used for /analyze', async () => {
  const gated = createGatedAnalysisRunner();
  gated.release();
  const echo = createEchoRunner();
  const pool = { run: (job: MasteringJob) => echo.run(job), runAnalysis: gated.runner.runAnalysis };
  const url = await serve({ runner: pool });
  assert.is((await analyze(tinyWav(), 'pooled.wav', { url })).status, 200);
  assert.equal(gated.jobs.map((job) => job.file.filename), ['pooled.wav']);
});

test.run();
