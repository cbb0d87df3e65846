// Findable artifacts over real HTTP: the Node server as a process, deferred
// persistence, and GET /artifacts/{key}. Filesystem: the artifact becomes
// fetchable by its key, byte-identical to the response; raw request paths
// that try to climb out (../, %2e%2e%2f, absolute, doubled slashes) never
// return a file outside the artifacts. S3 (s3rver): while the S3 server is
// down the key answers 202 deferred; once it is up and the worker stored the
// object, 200 with the same bytes as the response and the object in the bucket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../support/deadline.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { jsonLogRecords, postMaster, waitForOutput } from '../support/http-client.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { closedPort, s3rverEnv, startS3rver } from '../support/s3.ts';

const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

/** A GET with the path sent exactly as written (fetch would normalise `..` and `%2e`). */
function rawGet(port: number, path: string): Promise<{ status: number; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function masterDeferred(baseUrl: string): Promise<{ key: string; body: Uint8Array }> {
  const response = await postMaster(baseUrl, target, reference);
  const body = new Uint8Array(await response.arrayBuffer());
  assert.is(response.status, 200);
  assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
  const key = response.headers.get('x-mastered-object-key');
  assert.ok(key, 'no X-Mastered-Object-Key on a deferred response');
  assert.match(key!, /^mastered\/[0-9a-f-]{36}\.wav$/);
  return { key: key!, body };
}

async function fetchWhenStored(baseUrl: string, key: string): Promise<Uint8Array> {
  let bytes: Uint8Array | null = null;
  await waitUntil(async () => {
    const response = await fetch(`${baseUrl}/artifacts/${key}`);
    if (response.status === 200) bytes = new Uint8Array(await response.arrayBuffer());
    else await response.arrayBuffer();
    return bytes !== null;
  }, 20_000, () => `${key} was not stored`, 200);
  return bytes!;
}

test('filesystem: a deferred artifact is fetchable by its key, byte-identical; traversal paths never return a file outside the artifacts', async () => {
  const root = mkdtempSync(join(tmpdir(), 'audo-eq-artifacts-e2e-'));
  const dataDir = join(root, 'data');
  const secret = new TextEncoder().encode(`secret ${crypto.randomUUID()}`);
  mkdirSync(join(dataDir, 'jobs'), { recursive: true });
  writeFileSync(join(root, 'outside.wav'), secret);
  writeFileSync(join(dataDir, 'secret.wav'), secret);
  writeFileSync(join(dataDir, 'jobs', 'secret'), secret);
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    AUDO_EQ_STORAGE_BACKEND: 'filesystem',
    AUDO_EQ_DATA_DIR: dataDir,
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
    AUDO_EQ_LOG_FORMAT: 'json',
  });
  try {
    const { key, body } = await masterDeferred(server.baseUrl);
    assert.equal(await fetchWhenStored(server.baseUrl, key), body);
    assert.equal(new Uint8Array(readFileSync(join(dataDir, key))), body);

    const paths = [
      '/artifacts/../outside.wav',
      '/artifacts/../../../../../../etc/passwd',
      '/artifacts/%2e%2e/outside.wav',
      '/artifacts/%2e%2e%2foutside.wav',
      '/artifacts/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/artifacts/mastered/%2e%2e%2f%2e%2e%2foutside.wav',
      '/artifacts/mastered%2f..%2f..%2foutside.wav',
      '/artifacts/mastered/../secret.wav',
      '/artifacts/mastered/..%5c..%5coutside.wav',
      `/artifacts/${join(root, 'outside.wav')}`,
      `/artifacts/${encodeURIComponent(join(root, 'outside.wav'))}`,
      '/artifacts//etc/passwd',
      '/artifacts/mastered//../../outside.wav',
      '/artifacts/secret.wav',
      '/artifacts/jobs/secret',
    ];
    for (const path of paths) {
      const { status, body: answered } = await rawGet(server.port, path);
      assert.ok([400, 404].includes(status), `${path} answered ${status}`);
      assert.not.equal(answered, secret, `${path} returned a file outside the artifacts`);
      assert.not.match(new TextDecoder().decode(answered), /root:|secret/, `${path} leaked file contents`);
    }
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('S3: 202 deferred while the S3 server is down, then 200 with the same bytes once the worker stored it', async () => {
  const BUCKET = 'artifacts-fetch';
  const port = await closedPort();
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    ...s3rverEnv(`http://127.0.0.1:${port}`, BUCKET),
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
    AUDO_EQ_QUEUE_RETRY_BASE_MS: '100',
    AUDO_EQ_QUEUE_RETRY_MAX_MS: '500',
    AUDO_EQ_QUEUE_MAX_ATTEMPTS: '1000',
    AUDO_EQ_LOG_FORMAT: 'json',
  });
  let s3: Awaited<ReturnType<typeof startS3rver>> | null = null;
  try {
    const { key, body } = await masterDeferred(server.baseUrl);
    const waiting = await fetch(`${server.baseUrl}/artifacts/${key}`);
    assert.is(waiting.status, 202);
    assert.ok(Number(waiting.headers.get('retry-after')) > 0);
    assert.equal(await waiting.json().then(({ key: k, status }) => ({ key: k, status })), { key, status: 'deferred' });
    // A key nobody queued cannot be told apart from a lost one while storage is down: 503 with Retry-After.
    const unknownWhileDown = await fetch(`${server.baseUrl}/artifacts/mastered/${crypto.randomUUID()}.wav`);
    assert.is(unknownWhileDown.status, 503);
    assert.ok(Number(unknownWhileDown.headers.get('retry-after')) > 0);

    s3 = await startS3rver({ port, buckets: [BUCKET] });
    // Fetched once the worker says it is stored: s3rver (unlike S3 and MinIO) can serve an object while its upload is still being written.
    await waitForOutput(server.output, (out) => jsonLogRecords(out).some((r) => r.message === 'Stored queued mastered artifact' && r.object_name === key), 20_000);
    assert.equal(await fetchWhenStored(server.baseUrl, key), body);
    assert.equal((await s3.getObject(BUCKET, key)).bytes, body);
    assert.is((await fetch(`${server.baseUrl}/artifacts/mastered/${crypto.randomUUID()}.wav`)).status, 404);
  } finally {
    await server.stop();
    await s3?.stop();
  }
});

test.run();
