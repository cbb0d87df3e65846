// 50 deferred requests while the S3 server is down, then it comes up: every
// artifact ends up stored exactly once, with the bytes its response carried.
// Run on both queue backends; meanwhile /ready and /metrics show the backlog.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { waitUntil } from '../support/deadline.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { fetchFresh, jsonLogRecords, postMaster, readWavInfo } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { closedPort, startS3rver, type TestS3Server, s3rverEnv } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';

const BUCKET = 'outage';
const REQUESTS = 50;
const PARALLEL = 4;
const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

/** Sends the requests, PARALLEL at a time; each asks for its own loudness so every response is different audio. */
async function sendRequests(baseUrl: string, label: string): Promise<Map<string, Uint8Array>> {
  const bodies = new Map<string, Uint8Array>();
  let next = 0;
  const lane = async () => {
    while (next < REQUESTS) {
      const index = next++;
      const correlationId = `${label}-${index}`;
      const response = await postMaster(baseUrl, target, reference, { query: `?target_lufs=${(-28 + index * 0.2).toFixed(1)}`, headers: { 'X-Correlation-Id': correlationId, connection: 'close' } });
      const body = new Uint8Array(await response.arrayBuffer());
      assert.is(response.status, 200, new TextDecoder().decode(body.subarray(0, 200)));
      assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
      assert.is(response.headers.get('x-mastered-object-url'), null);
      readWavInfo(body);
      bodies.set(correlationId, body);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  return bodies;
}

const backends: Array<'redis' | 'memory'> = (await redisAnswers()) ? ['redis', 'memory'] : ['memory'];
requireTool('redis-server on 127.0.0.1:6379', backends.includes('redis'), 'S3 outage on the Redis queue');

for (const backend of backends) {
  test(`${REQUESTS} deferred requests during an S3 outage are all stored once S3 is back (${backend} queue), each exactly once with its response's bytes`, async () => {
    const s3Port = await closedPort();
    const name = uniqueQueueName('outage');
    const [command, args] = nodeServerCommand();
    let server: RunningServer | null = null;
    let s3: TestS3Server | null = null;
    try {
      server = await startServer(command, args, {
        AUDO_EQ_LOG_FORMAT: 'json',
        AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
        AUDO_EQ_QUEUE_BACKEND: backend,
        AUDO_EQ_REDIS_URL: TEST_REDIS_URL,
        AUDO_EQ_QUEUE_NAME: name,
        AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '5000',
        AUDO_EQ_QUEUE_RETRY_BASE_MS: '100',
        AUDO_EQ_QUEUE_RETRY_MAX_MS: '1000',
        AUDO_EQ_QUEUE_MAX_ATTEMPTS: '1000',
        AUDO_EQ_DEFERRED_WORKER_CONCURRENCY: '4',
        ...s3rverEnv(`http://127.0.0.1:${s3Port}`, BUCKET),
      });
      const bodies = await sendRequests(server.baseUrl, backend);
      // Compared by digest: joining 50 WAVs into strings blocked this process for seconds, long enough for the
      // server to close an idle keep-alive socket that the next fetch then reused ("other side closed").
      assert.is(new Set([...bodies.values()].map((body) => createHash('sha256').update(body).digest('hex'))).size, REQUESTS, 'every response is different audio');

      // The backlog is visible while S3 is down (readiness fails on storage, not on the queue).
      const ready = await fetchFresh(`${server.baseUrl}/ready`);
      assert.is(ready.status, 503);
      const { checks } = (await ready.json()).detail;
      assert.is(checks.storage.status, 'unavailable');
      assert.is(checks.queue.status, 'ok');
      assert.is(checks.queue.depth, REQUESTS);
      assert.ok(checks.queue.oldest_age_seconds > 0, String(checks.queue.oldest_age_seconds));
      const metrics = await (await fetchFresh(`${server.baseUrl}/metrics`)).text();
      assert.match(metrics, new RegExp(`^audo_eq_persistence_queue_depth ${REQUESTS}$`, 'm'));
      assert.match(metrics, /^audo_eq_deferred_persistence_total\{outcome="retried"\} \d+$/m);
      assert.is((await fetchFresh(`${server.baseUrl}/health`)).status, 200);

      s3 = await startS3rver({ port: s3Port, buckets: [BUCKET] });
      const liveS3 = s3;
      await waitUntil(async () => (await liveS3.listKeys(BUCKET)).length >= REQUESTS, 60_000, async () => `${(await liveS3.listKeys(BUCKET)).length} stored`, 200);
      const liveServer = server;
      await waitUntil(async () => (await (await fetchFresh(`${liveServer.baseUrl}/ready`)).json()).checks?.queue?.depth === 0, 10_000, () => 'queue not empty');

      const keys = await s3.listKeys(BUCKET);
      assert.is(keys.length, REQUESTS);
      const seen = new Set<string>();
      for (const key of keys) {
        const object = await s3.getObject(BUCKET, key);
        const correlationId = object.metadata['correlation-id'];
        assert.ok(bodies.has(correlationId), `${key} belongs to no request (${correlationId})`);
        assert.not.ok(seen.has(correlationId), `${correlationId} stored twice`);
        seen.add(correlationId);
        assert.equal(object.bytes, bodies.get(correlationId), `${key}: bytes differ from the response`);
        assert.is(object.contentType, 'audio/wav');
      }
      const storedEvents = jsonLogRecords(server.output()).filter((r) => r.message === 'domain_event_emitted' && r.event_name === 'ArtifactStored');
      assert.is(storedEvents.length, REQUESTS, 'one ArtifactStored per artifact');
      const queued = jsonLogRecords(server.output()).filter((r) => r.message === 'Queued mastered artifact persistence task');
      assert.equal(new Set(queued.map((r) => r.object_name)), new Set(keys));
    } finally {
      await server?.stop();
      await s3?.stop();
      if (backend === 'redis') await deleteQueueKeys(name);
    }
  });
}

test.run();
