import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp, type AppOptions } from '../../core/http/app.ts';
import { createLoggingEventPublisher } from '../../core/app/logging-event-publisher.ts';
import { STORAGE_FAILED_WARNING } from '../../core/app/persist-artifact.ts';
import { MASTER_QUERY_PARAMETERS } from '../../core/http/query.ts';
import { bytesBody } from '../../core/http/responses.ts';
import { createEchoRunner, createFailingStorage, createMemoryStorage, createRecordingLogger, multipartForm, tinyWav } from '../support/doubles.ts';
import { sampleDiagnostics } from '../support/diagnostics.ts';

function setup(options: Partial<AppOptions> = {}) {
  const runner = createEchoRunner();
  const storage = createMemoryStorage();
  const logger = createRecordingLogger();
  const app = createApp({ runner, storage, logger, ...options });
  const post = (query = '', body: BodyInit | null = multipartForm({ target: tinyWav(), reference: tinyWav() }), headers: HeadersInit = {}) =>
    app(new Request(`http://local/master${query}`, { method: 'POST', body, headers }));
  return { app, runner, storage, logger, post };
}

test('a valid upload answers the WAV with every result header and stores it under mastered/<uuid>.wav', async () => {
  const { post, storage } = setup();
  const response = await post('', undefined, { 'X-Correlation-Id': 'smoke-1' });
  assert.is(response.status, 200);
  assert.is(response.headers.get('content-type'), 'audio/wav');
  const body = new Uint8Array(await response.arrayBuffer());
  assert.equal(body, tinyWav());
  assert.is(response.headers.get('x-correlation-id'), 'smoke-1');
  assert.is(response.headers.get('x-policy-version'), 'v1');
  assert.is(response.headers.get('x-ingest-policy-id'), 'ingest-validation-default');
  assert.is(response.headers.get('x-normalization-policy-id'), 'pcm-canonical-default');
  assert.is(response.headers.get('x-mastering-profile-id'), 'default');
  assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
  const [key, object] = [...storage.objects.entries()][0];
  assert.match(key, /^mastered\/[0-9a-f-]{36}\.wav$/);
  assert.is(response.headers.get('x-mastered-object-url'), `memory://bucket/${key}`);
  assert.is(object.contentType, 'audio/wav');
  assert.equal(object.metadata, { 'correlation-id': 'smoke-1', 'profile-id': 'default' });
  assert.equal(object.bytes, body);
});

test('with byteBody = bytesBody the master goes out as views of its own bytes (no copy), with its Content-Length', async () => {
  const handed: Uint8Array[] = [];
  const { post } = setup({
    byteBody: (bytes) => {
      handed.push(bytes);
      return bytesBody(bytes);
    },
  });
  const response = await post();
  assert.is(response.status, 200);
  assert.is(response.headers.get('content-length'), String(tinyWav().byteLength));
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  assert.ok(chunks.length > 0 && chunks.every((chunk) => chunk.buffer === handed[0].buffer), 'every chunk is a view of the master');
  assert.equal(new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()), tinyWav());
});

test('bytesBody hands out a large array as 1 MiB views of it, in order, and nothing more', async () => {
  const bytes = Uint8Array.from({ length: 2.5 * 1024 * 1024 }, (_, i) => i % 251);
  const reader = bytesBody(bytes).getReader();
  const chunks: Uint8Array[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  assert.equal(chunks.map((chunk) => [chunk.byteOffset, chunk.byteLength]), [[0, 1048576], [1048576, 1048576], [2097152, 524288]]);
  assert.ok(chunks.every((chunk) => chunk.buffer === bytes.buffer));
  const empty = await bytesBody(new Uint8Array(0)).getReader().read();
  assert.is(empty.done, true);
});

test('X-Mastering-Diagnostics is compact ASCII JSON without newlines', async () => {
  const { post } = setup();
  const header = (await post()).headers.get('x-mastering-diagnostics') ?? '';
  assert.match(header, /^[\x20-\x7e]+$/);
  // The route puts the upload's own time first among the job's stage times.
  const { stage_ms: stages, ...rest } = JSON.parse(header);
  const { stage_ms: jobStages, ...expected } = sampleDiagnostics({ profile: 'default', strategy: { id: 'naïve test double', conditions: {} } });
  assert.equal(rest, expected);
  assert.equal(Object.keys(stages), ['upload_ms', ...Object.keys(jobStages)]);
  assert.ok(stages.upload_ms >= 0);
});

test('query values are case-insensitive and profile aliases resolve', async () => {
  const { post, runner } = setup();
  const response = await post('?eq_mode=Reference-Match&eq_preset=WARM&de_esser_mode=AUTO&profile=Streaming-Loud&target_lufs=-14.5&bit_depth=16');
  assert.is(response.status, 200);
  assert.equal(runner.jobs[0].options, {
    eqMode: 'reference-match',
    eqPreset: 'warm',
    deEsserMode: 'auto',
    profile: 'aggressive',
    goalLufs: -14.5,
    strength: 100,
    match: ['loudness', 'tone', 'dynamics', 'width'],
    preview: false,
    bitDepth: 16,
  });
  assert.is(response.headers.get('x-mastering-profile-id'), 'aggressive');
});

test('every query parameter rejects a bad value with invalid_query_parameter, its name and allowed values', async () => {
  const { post, runner } = setup();
  const bad: Record<string, string> = { eq_mode: 'loud', eq_preset: 'dark', de_esser_mode: 'on', profile: 'extreme', target_lufs: '-3', bit_depth: '20' };
  for (const [parameter, value] of Object.entries(bad)) {
    const response = await post(`?${parameter}=${value}`);
    assert.is(response.status, 400, parameter);
    const { detail } = await response.json();
    assert.is(detail.code, 'invalid_query_parameter');
    assert.is(detail.parameter, parameter);
    assert.equal(detail.allowed_values, [...MASTER_QUERY_PARAMETERS[parameter as keyof typeof MASTER_QUERY_PARAMETERS].allowed]);
    assert.ok(response.headers.get('x-correlation-id'));
  }
  for (const notANumber of ['abc', '0x10', '-14dB', 'NaN', 'Infinity']) {
    const { detail } = await (await post(`?target_lufs=${notANumber}`)).json();
    assert.is(detail.parameter, 'target_lufs', notANumber);
  }
  assert.is(runner.jobs.length, 0);
});

test('a body that is not multipart/form-data is invalid_payload', async () => {
  const { post } = setup();
  const json = await post('', JSON.stringify({ target: 'x' }), { 'content-type': 'application/json' });
  assert.is(json.status, 400);
  assert.is((await json.json()).detail.code, 'invalid_payload');
  const broken = await post('', '--nope\r\ngarbage', { 'content-type': 'multipart/form-data; boundary=other' });
  assert.is(broken.status, 400);
  assert.is((await broken.json()).detail.code, 'invalid_payload');
});

test('a missing part is missing_file naming it, and an empty part is empty_file', async () => {
  const { post } = setup();
  const missing = await post('', multipartForm({ target: tinyWav() }));
  assert.is(missing.status, 400);
  assert.equal((await missing.json()).detail.missing_parts, ['reference']);
  const none = await post('', multipartForm({}));
  assert.equal((await none.json()).detail.missing_parts, ['target', 'reference']);
  // A part the route does not read is refused, not skipped.
  const other = await post('', multipartForm({ comment: 'hello', target: tinyWav(), reference: tinyWav() }));
  assert.is(other.status, 400);
  assert.equal((await other.json()).detail, {
    code: 'unknown_parameter',
    message: "Unknown multipart field 'comment'; the closest known one is 'target' (known: target, reference)",
    parameter: 'comment',
    location: 'multipart',
    closest: 'target',
    known_parameters: ['target', 'reference'],
  });
  const empty = await post('', multipartForm({ target: new Uint8Array(0), reference: tinyWav() }));
  assert.is(empty.status, 400);
  const { detail } = await empty.json();
  assert.is(detail.code, 'empty_file');
  assert.is(detail.part, 'target');
});

test('a part over the per-file limit is file_too_large and a body over the total limit is 413 request_too_large', async () => {
  const { post } = setup({ limits: { maxFileBytes: 4096, maxRequestBytes: 64 * 1024 } });
  const fileTooLarge = await post('', multipartForm({ target: new Uint8Array(5000), reference: tinyWav() }));
  assert.is(fileTooLarge.status, 400);
  assert.equal((await fileTooLarge.json()).detail, { code: 'file_too_large', message: 'The uploaded file exceeds the size limit.', max_bytes: 4096 });
  const declared = await post('', multipartForm({ target: tinyWav(), reference: tinyWav() }), { 'content-length': String(10 * 1024 * 1024) });
  assert.is(declared.status, 413);
  assert.is((await declared.json()).detail.code, 'request_too_large');
  // Streamed without Content-Length: the target and five references, each under the file limit, over the total.
  const streamedSetup = setup({ limits: { maxFileBytes: 16 * 1024, maxRequestBytes: 64 * 1024 } });
  const form = multipartForm({ target: new Uint8Array(15_000) });
  for (let i = 0; i < 5; i++) form.append('reference', new Blob([new Uint8Array(15_000)]), `reference-${i}.wav`);
  const streamed = await streamedSetup.post('', form);
  assert.is(streamed.status, 413);
});

test('an ingest error from the runner answers its code and publishes MasteringFailed', async () => {
  const logger = createRecordingLogger();
  const { post } = setup({ logger, events: createLoggingEventPublisher(logger) });
  const response = await post('', multipartForm({ target: 'ERR:unsupported_container', reference: tinyWav() }), { 'X-Correlation-Id': 'bad-1' });
  assert.is(response.status, 415);
  const { detail } = await response.json();
  assert.is(detail.code, 'unsupported_container');
  assert.is(detail.part, 'target');
  const failed = logger.records.find((r) => r.message === 'domain_event_emitted' && r.fields.event_name === 'MasteringFailed');
  assert.ok(failed);
  assert.is(failed!.fields.correlation_id, 'bad-1');
  assert.equal(failed!.fields.payload_summary, { stage: 'ingest', code: 'unsupported_container', message: 'The file is not a WAV, FLAC or MP3 container.' });
});

test('a request-level failure (bad query) also publishes MasteringFailed', async () => {
  const logger = createRecordingLogger();
  const { post } = setup({ logger });
  await post('?bit_depth=7');
  const failed = logger.records.find((r) => r.fields.event_name === 'MasteringFailed');
  assert.is((failed?.fields.payload_summary as { stage: string }).stage, 'request');
});

test('storage failure under best-effort returns the audio with skipped and logs the warning with the error', async () => {
  const { post, logger } = setup({ storage: createFailingStorage('connect ECONNREFUSED 127.0.0.1:9') });
  const response = await post('', undefined, { 'X-Correlation-Id': 'be-1' });
  assert.is(response.status, 200);
  assert.is(response.headers.get('x-artifact-persistence-status'), 'skipped');
  assert.is(response.headers.get('x-mastered-object-url'), null);
  assert.equal(new Uint8Array(await response.arrayBuffer()), tinyWav());
  const warning = logger.records.find((r) => r.message === STORAGE_FAILED_WARNING);
  assert.is(warning?.level, 'warn');
  assert.is(warning?.fields.correlation_id, 'be-1');
  assert.match((warning?.fields.error as Error).message, /ECONNREFUSED/);
});

test('storage failure under guaranteed answers 503 storage_unavailable', async () => {
  const { post } = setup({ storage: createFailingStorage(), persistence: { mode: 'immediate', guarantee: 'guaranteed' } });
  const response = await post('', undefined, { 'X-Correlation-Id': 'g-1' });
  assert.is(response.status, 503);
  assert.is((await response.json()).detail.code, 'storage_unavailable');
  assert.is(response.headers.get('x-correlation-id'), 'g-1');
});

test('with storage disabled the audio comes back as skipped without a URL', async () => {
  const { post, logger } = setup({ storage: null });
  const response = await post();
  assert.is(response.status, 200);
  assert.is(response.headers.get('x-artifact-persistence-status'), 'skipped');
  assert.is(response.headers.get('x-mastered-object-url'), null);
  assert.not.ok(logger.records.some((r) => r.message === STORAGE_FAILED_WARNING));
});

test('an unexpected runner failure is 500 internal_error with a generic message, the cause logged with the correlation id', async () => {
  const logger = createRecordingLogger();
  const app = createApp({ runner: { run: async () => { throw new TypeError('secret internals at line 42'); } }, logger });
  const response = await app(new Request('http://local/master', { method: 'POST', body: multipartForm({ target: tinyWav(), reference: tinyWav() }), headers: { 'X-Correlation-Id': 'boom-1' } }));
  assert.is(response.status, 500);
  const text = await response.text();
  assert.not.match(text, /secret internals/);
  assert.is(JSON.parse(text).detail.code, 'internal_error');
  const logged = logger.records.find((r) => r.level === 'error');
  assert.is(logged?.fields.correlation_id, 'boom-1');
  assert.match(String((logged?.fields.error as Error).message), /secret internals/);
});

test('a mastering beyond the running one and maxPending waiting ones gets 503 overloaded with Retry-After', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const firstRunning = new Promise<void>((resolve) => (started = resolve));
  const runner = createEchoRunner();
  const slow = { run: async (job: Parameters<typeof runner.run>[0]) => (started(), await gate, runner.run(job)) };
  const { post } = setup({ runner: slow, maxPending: 0 });
  const first = post();
  await firstRunning;
  const second = await post();
  assert.is(second.status, 503);
  assert.is((await second.json()).detail.code, 'overloaded');
  assert.is(second.headers.get('retry-after'), '5');
  release();
  assert.is((await first).status, 200);
  assert.is((await post()).status, 200);
});

test('one access-log line per request carries method, path, status, duration and correlation id', async () => {
  const { app, logger } = setup();
  await app(new Request('http://local/health', { headers: { 'X-Correlation-Id': 'acc-1' } }));
  await app(new Request('http://local/missing'));
  const lines = logger.records.filter((r) => r.message === 'http_request');
  assert.is(lines.length, 2);
  assert.is(lines[0].fields.method, 'GET');
  assert.is(lines[0].fields.path, '/health');
  assert.is(lines[0].fields.status, 200);
  assert.type(lines[0].fields.duration_ms, 'number');
  assert.is(lines[0].fields.correlation_id, 'acc-1');
  assert.is(lines[1].fields.status, 404);
});

test.run();
