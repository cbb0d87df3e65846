// A full deferred queue (S3 down, so nothing drains): best-effort answers the
// audio as `skipped` with the runbook's warning, guaranteed answers `503
// storage_unavailable`; either way the API keeps serving, and once S3 is back
// and the queue drains, requests are deferred again. The memory queue cannot
// be `guaranteed` (start-up refuses it), so the guaranteed case runs on Redis.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitUntil } from '../support/deadline.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { eventNamesFor, jsonLogRecords, postMaster, readWavInfo, waitForOutput } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { closedPort, startS3rver, type TestS3Server, s3rverEnv } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';

const BUCKET = 'queue-full';
const WARNING = 'Mastered audio storage failed; returning no URL.';
const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

function serverEnv(s3Port: number, extra: Record<string, string>): Record<string, string> {
  return {
    AUDO_EQ_LOG_FORMAT: 'json',
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
    AUDO_EQ_QUEUE_CAPACITY: '2',
    AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '5000',
    AUDO_EQ_QUEUE_RETRY_BASE_MS: '100',
    AUDO_EQ_QUEUE_RETRY_MAX_MS: '500',
    AUDO_EQ_QUEUE_MAX_ATTEMPTS: '1000',
    ...s3rverEnv(`http://127.0.0.1:${s3Port}`, BUCKET),
    ...extra,
  };
}

const master = (server: RunningServer, correlationId: string) => postMaster(server.baseUrl, target, reference, { headers: { 'X-Correlation-Id': correlationId } });

test('a full memory queue under best-effort answers the audio as skipped with the warning, and the API keeps serving', async () => {
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, serverEnv(await closedPort(), { AUDO_EQ_QUEUE_BACKEND: 'memory' }));
  try {
    for (const id of ['full-1', 'full-2']) assert.is((await master(server, id)).headers.get('x-artifact-persistence-status'), 'deferred');
    for (const id of ['full-3', 'full-4']) {
      const response = await master(server, id);
      const body = new Uint8Array(await response.arrayBuffer());
      assert.is(response.status, 200);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'skipped');
      assert.is(response.headers.get('x-artifact-persistence-reason'), 'queue_full');
      assert.is(response.headers.get('x-mastered-object-url'), null);
      assert.is(readWavInfo(body).sampleRateHz, 44100);
    }
    await waitForOutput(server.output, (out) => jsonLogRecords(out).filter((r) => r.message === WARNING).length >= 2);
    const warning = jsonLogRecords(server.output()).find((r) => r.message === WARNING && r.correlation_id === 'full-3')!;
    assert.is(warning.level, 'WARN');
    assert.is(warning.reason, 'queue_full');
    assert.match(String((warning.error as { message?: string }).message), /full \(2 of 2 tasks\)/);
    assert.ok(eventNamesFor(server.output(), 'full-3').includes('ArtifactPersistenceFailed'));
    assert.equal(await (await fetch(`${server.baseUrl}/health`)).json(), { status: 'ok' });
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    assert.match(metrics, /^audo_eq_artifact_persistence_total\{status="skipped"\} 2$/m);
    assert.match(metrics, /^audo_eq_persistence_queue_depth 2$/m);
  } finally {
    // SIGKILL: a graceful stop would first try to drain the memory queue into the dead S3.
    await server.stop('SIGKILL');
  }
});

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'full Redis queue')) {
  test('a full Redis queue under guaranteed answers 503 storage_unavailable, keeps serving, and defers again once it drains', async () => {
    const s3Port = await closedPort();
    const name = uniqueQueueName('full');
    const [command, args] = nodeServerCommand();
    let s3: TestS3Server | null = null;
    const server = await startServer(
      command,
      args,
      serverEnv(s3Port, { AUDO_EQ_QUEUE_BACKEND: 'redis', AUDO_EQ_REDIS_URL: TEST_REDIS_URL, AUDO_EQ_QUEUE_NAME: name, AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed' }),
    );
    try {
      for (const id of ['g-1', 'g-2']) assert.is((await master(server, id)).headers.get('x-artifact-persistence-status'), 'deferred');
      const refused = await master(server, 'g-3');
      assert.is(refused.status, 503);
      assert.is((await refused.json()).detail.code, 'storage_unavailable');
      assert.is(refused.headers.get('x-correlation-id'), 'g-3');
      assert.equal(await (await fetch(`${server.baseUrl}/health`)).json(), { status: 'ok' });

      s3 = await startS3rver({ port: s3Port, buckets: [BUCKET] });
      const liveS3 = s3;
      await waitUntil(async () => (await liveS3.listKeys(BUCKET)).length === 2, 20_000, () => 'the two queued artifacts were not stored');
      await waitUntil(async () => (await (await fetch(`${server.baseUrl}/ready`)).json()).checks?.queue?.depth === 0, 10_000, () => 'queue not empty');
      const again = await master(server, 'g-4');
      assert.is(again.status, 200);
      assert.is(again.headers.get('x-artifact-persistence-status'), 'deferred');
      await waitUntil(async () => (await liveS3.listKeys(BUCKET)).length === 3, 20_000, () => 'the later artifact was not stored');
    } finally {
      await server.stop();
      await s3?.stop();
      await deleteQueueKeys(name);
    }
  });
}

test.run();
