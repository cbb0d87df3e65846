// The runbook's smoke flow, automated: the Node server as a process, storage
// on an S3-compatible server started here, GET /health, POST /master with two
// fixtures, and everything the runbook checks afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, requireTool } from '../support/tools.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { fixturePath } from '../support/fixtures.ts';
import { S3RVER_ACCESS_KEY, startS3rver, type TestS3Server } from '../support/s3.ts';
import { eventNamesFor, jsonLogRecords, postMaster, readWavInfo, waitForOutput } from '../support/http-client.ts';

const BUCKET = 'audo-eq-smoke';
// s3rver checks the access key id only, so any secret works: one no log may contain.
const S3_SECRET = 'smoke-Secret-Key-7f3a9c';
const API_KEY = 'smoke-api-key-42b8e1d0';

let s3: TestS3Server;
let server: RunningServer;

test.before(async () => {
  s3 = await startS3rver({ buckets: [BUCKET] });
  const [command, args] = nodeServerCommand();
  server = await startServer(command, args, {
    AUDO_EQ_STORAGE_BACKEND: 's3',
    AUDO_EQ_S3_ENDPOINT: s3.endpoint,
    AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
    AUDO_EQ_S3_SECRET_KEY: S3_SECRET,
    AUDO_EQ_S3_BUCKET: BUCKET,
    AUDO_EQ_API_KEYS: API_KEY,
    AUDO_EQ_LOG_FORMAT: 'json',
  });
});

test.after(async () => {
  await server?.stop();
  await s3?.stop();
});

test('GET /health answers {"status":"ok"} without an API key', async () => {
  const response = await fetch(`${server.baseUrl}/health`);
  assert.is(response.status, 200);
  assert.equal(await response.json(), { status: 'ok' });
});

test('GET /ready reports the S3 storage check as ok', async () => {
  const response = await fetch(`${server.baseUrl}/ready`);
  assert.is(response.status, 200);
  assert.equal((await response.json()).checks.storage, { status: 'ok', backend: 's3' });
});

test('POST /master returns a valid WAV, the runbook headers, and the same bytes in the bucket and behind the presigned URL', async () => {
  const response = await postMaster(server.baseUrl, fixturePath('indie_pop/target.wav'), fixturePath('indie_pop/reference.wav'), {
    headers: { 'X-Correlation-Id': 'smoke-s3-1', Authorization: `Bearer ${API_KEY}` },
  });
  const body = new Uint8Array(await response.arrayBuffer());
  assert.is(response.status, 200, new TextDecoder().decode(body.subarray(0, 300)));
  assert.is(response.headers.get('content-type'), 'audio/wav');
  const wav = readWavInfo(body);
  assert.is(wav.sampleRateHz, 44100);
  assert.is(wav.channels, 2);
  assert.is(wav.bitsPerSample, 24);
  assert.ok(Math.abs(wav.frames - 441000) <= 1, `frames ${wav.frames}`);

  assert.is(response.headers.get('x-correlation-id'), 'smoke-s3-1');
  assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
  const url = response.headers.get('x-mastered-object-url');
  assert.ok(url);
  for (const name of ['x-policy-version', 'x-ingest-policy-id', 'x-normalization-policy-id', 'x-mastering-profile-id', 'x-mastering-diagnostics']) {
    assert.ok(response.headers.get(name), name);
  }
  assert.is(response.headers.get('x-mastering-profile-id'), 'default');

  const key = decodeURIComponent(new URL(url!).pathname.replace(`/${BUCKET}/`, ''));
  assert.match(key, /^mastered\/[0-9a-f-]{36}\.wav$/);
  const stored = await s3.getObject(BUCKET, key);
  assert.equal(stored.bytes, body);
  assert.is(stored.contentType, 'audio/wav');
  assert.is(stored.metadata['correlation-id'], 'smoke-s3-1');
  assert.is(stored.metadata['profile-id'], 'default');

  const download = await fetch(url!);
  assert.is(download.status, 200);
  assert.equal(new Uint8Array(await download.arrayBuffer()), body);
});

test('one request logs IngestValidated, TrackAnalyzed, MasteringDecided, MasteringRendered, ArtifactStored in order under its correlation id', async () => {
  await waitForOutput(server.output, (out) => eventNamesFor(out, 'smoke-s3-1').includes('ArtifactStored'));
  const names = eventNamesFor(server.output(), 'smoke-s3-1');
  const expected = ['IngestValidated', 'TrackAnalyzed', 'MasteringDecided', 'MasteringRendered', 'ArtifactStored'];
  const positions = expected.map((name) => names.indexOf(name));
  assert.ok(positions.every((p) => p >= 0), `events: ${names.join(', ')}`);
  assert.equal([...positions].sort((a, b) => a - b), positions, `out of order: ${names.join(', ')}`);
  const stored = jsonLogRecords(server.output()).find((r) => r.event_name === 'ArtifactStored' && r.correlation_id === 'smoke-s3-1')!;
  assert.match(String((stored.payload_summary as Record<string, unknown>).destination), new RegExp(`^s3://${BUCKET}/mastered/`));
  assert.match(String(stored.occurred_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const access = jsonLogRecords(server.output()).find((r) => r.message === 'http_request' && r.correlation_id === 'smoke-s3-1');
  assert.is(access?.status, 200);
  assert.is(access?.path, '/master');
});

test('a failing request logs MasteringFailed under its correlation id', async () => {
  const response = await postMaster(server.baseUrl, fixturePath('malformed/text_as.flac'), fixturePath('indie_pop/reference.wav'), {
    headers: { 'X-Correlation-Id': 'smoke-s3-fail', 'X-Api-Key': API_KEY },
  });
  assert.is(response.status, 415);
  await waitForOutput(server.output, (out) => eventNamesFor(out, 'smoke-s3-fail').includes('MasteringFailed'));
  assert.not.ok(eventNamesFor(server.output(), 'smoke-s3-fail').includes('ArtifactStored'));
});

// Asynchronous on purpose: s3rver runs in this process and must keep answering while curl waits.
const run = promisify(execFile);

if (requireTool('curl', hasTool('curl', ['--version']), 'runbook curl smoke commands')) {
  test("the runbook's curl commands work as written, and its case-sensitive header grep finds the three headers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audo-eq-runbook-'));
    try {
      const health = await run('curl', ['-fsS', `${server.baseUrl}/health`]);
      assert.equal(JSON.parse(health.stdout), { status: 'ok' });
      await run('curl', [
        '-fsS', '-X', 'POST', `${server.baseUrl}/master`,
        '-H', `X-Api-Key: ${API_KEY}`,
        '-F', 'target=@./target.wav',
        '-F', 'reference=@./reference.wav',
        '-D', join(dir, 'headers.txt'),
        '--output', join(dir, 'mastered.wav'),
      ], { cwd: fixturePath('indie_pop') });
      assert.ok(statSync(join(dir, 'mastered.wav')).size > 0);
      const headers = readFileSync(join(dir, 'headers.txt'), 'utf8');
      for (const name of ['X-Correlation-Id', 'X-Artifact-Persistence-Status', 'X-Mastered-Object-Url']) {
        assert.ok(headers.includes(`${name}: `), `${name} not found as written in:\n${headers}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('no secret value appears anywhere in the logs', async () => {
  // A request carrying the key in both accepted headers, plus a wrong key.
  await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${API_KEY}`, 'X-Api-Key': API_KEY } });
  await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: 'Bearer wrong-key-value' } });
  await waitForOutput(server.output, (out) => jsonLogRecords(out).filter((r) => r.path === '/metrics').length >= 2);
  const output = server.output();
  assert.ok(output.length > 1000);
  assert.not.ok(output.includes(S3_SECRET), 'S3 secret key leaked');
  assert.not.ok(output.includes(API_KEY), 'API key leaked');
});

test.run();
