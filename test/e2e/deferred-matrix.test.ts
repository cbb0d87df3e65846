// SPEC section 6's mode × guarantee table over HTTP, every row with its
// dependency answering and failing, on real processes, a real S3-compatible
// server and real Redis:
//
// | mode      | guarantee   | dependency up                      | dependency down                |
// | immediate | best-effort | stored + URL                       | skipped + warning              |
// | immediate | guaranteed  | stored + URL                       | 503 storage_unavailable        |
// | deferred  | best-effort | deferred, no URL, stored later     | enqueue fails → skipped        |
// | deferred  | guaranteed  | deferred on a durable queue        | enqueue fails → 503            |
// | deferred  | guaranteed  | memory queue: start-up refused with a clear message                 |
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withinMs } from '../support/deadline.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { eventNamesFor, jsonLogRecords, postMaster, readWavInfo, waitForOutput } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { closedPort, S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3rver, type TestS3Server } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';

const BUCKET = 'matrix';
const WARNING = 'Mastered audio storage failed; returning no URL.';
const QUEUED = 'Queued mastered artifact persistence task';
const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);
const [command, args] = nodeServerCommand();

let s3: TestS3Server;
const queueNames: string[] = [];

test.before(async () => {
  s3 = await startS3rver({ buckets: [BUCKET] });
});

test.after(async () => {
  await s3.stop();
  for (const name of queueNames) await deleteQueueKeys(name);
});

interface Setup {
  readonly mode: 'immediate' | 'deferred';
  readonly guarantee: 'best-effort' | 'guaranteed';
  readonly queue?: 'memory' | 'redis';
  /** Whether the dependency the row is about (S3 for immediate, the queue for deferred) answers. */
  readonly up: boolean;
}

async function withServer(setup: Setup, body: (server: RunningServer) => Promise<void>): Promise<void> {
  const name = uniqueQueueName('matrix');
  queueNames.push(name);
  const s3Endpoint = setup.mode === 'immediate' && !setup.up ? `http://127.0.0.1:${await closedPort()}` : s3.endpoint;
  const redisUrl = setup.mode === 'deferred' && !setup.up ? `redis://127.0.0.1:${await closedPort()}` : TEST_REDIS_URL;
  const server = await startServer(command, args, {
    AUDO_EQ_LOG_FORMAT: 'json',
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: setup.mode,
    AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: setup.guarantee,
    AUDO_EQ_QUEUE_BACKEND: setup.queue ?? 'memory',
    AUDO_EQ_REDIS_URL: redisUrl,
    AUDO_EQ_REDIS_TIMEOUT_MS: '1000',
    AUDO_EQ_QUEUE_NAME: name,
    AUDO_EQ_STORAGE_BACKEND: 's3',
    AUDO_EQ_S3_ENDPOINT: s3Endpoint,
    AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
    AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
    AUDO_EQ_S3_BUCKET: BUCKET,
    AUDO_EQ_S3_TIMEOUT_MS: '1500',
  });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

/**
 * POSTs the pair; an answer that does not come within a minute fails (a
 * server waiting on a dead dependency without end). How fast it comes is
 * measured by `npm run bench -- failure-latency`, not asserted here.
 */
async function master(server: RunningServer, correlationId: string) {
  const answer = async () => {
    const response = await postMaster(server.baseUrl, target, reference, { headers: { 'X-Correlation-Id': correlationId } });
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  return withinMs(answer(), 60_000, `the /master answer (${correlationId})`);
}

async function expectStoredLater(server: RunningServer, correlationId: string, bytes: Uint8Array): Promise<void> {
  await waitForOutput(server.output, (out) => eventNamesFor(out, correlationId).includes('ArtifactStored'), 15_000);
  const event = jsonLogRecords(server.output()).find((r) => r.event_name === 'ArtifactStored' && r.correlation_id === correlationId)!;
  const destination = String((event.payload_summary as Record<string, unknown>).destination);
  assert.match(destination, /^s3:\/\/matrix\/mastered\/[0-9a-f-]{36}\.wav$/);
  assert.equal((await s3.getObject(BUCKET, destination.slice('s3://matrix/'.length))).bytes, bytes);
}

function expectWarning(server: RunningServer, correlationId: string, reason: string): void {
  const warning = jsonLogRecords(server.output()).find((r) => r.message === WARNING && r.correlation_id === correlationId);
  assert.ok(warning, `no storage warning for ${correlationId}`);
  assert.is(warning!.reason, reason);
}

test('immediate + best-effort: stored with an object URL that serves the same bytes', async () => {
  await withServer({ mode: 'immediate', guarantee: 'best-effort', up: true }, async (server) => {
    const { response, bytes } = await master(server, 'm-ib-up');
    assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
    const url = response.headers.get('x-mastered-object-url')!;
    assert.equal(new Uint8Array(await (await fetch(url)).arrayBuffer()), bytes);
  });
});

test('immediate + best-effort with S3 down: the audio, skipped, no URL, the warning', async () => {
  await withServer({ mode: 'immediate', guarantee: 'best-effort', up: false }, async (server) => {
    const { response, bytes } = await master(server, 'm-ib-down');
    assert.is(response.status, 200);
    assert.is(response.headers.get('x-artifact-persistence-status'), 'skipped');
    assert.is(response.headers.get('x-mastered-object-url'), null);
    readWavInfo(bytes);
    await waitForOutput(server.output, (out) => out.includes(WARNING));
    expectWarning(server, 'm-ib-down', 'storage_unavailable');
    assert.is(response.headers.get('x-artifact-persistence-reason'), 'storage_unavailable');
  });
});

test('immediate + guaranteed: stored with an object URL', async () => {
  await withServer({ mode: 'immediate', guarantee: 'guaranteed', up: true }, async (server) => {
    const { response } = await master(server, 'm-ig-up');
    assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
    assert.match(response.headers.get('x-mastered-object-url')!, /^http:\/\/127\.0\.0\.1:\d+\/matrix\/mastered\//);
  });
});

test('immediate + guaranteed with S3 down: 503 storage_unavailable', async () => {
  await withServer({ mode: 'immediate', guarantee: 'guaranteed', up: false }, async (server) => {
    const { response, bytes } = await master(server, 'm-ig-down');
    assert.is(response.status, 503);
    assert.is(JSON.parse(new TextDecoder().decode(bytes)).detail.code, 'storage_unavailable');
  });
});

test('deferred + best-effort on the memory queue: deferred, no URL, the queued line, stored later by the worker', async () => {
  await withServer({ mode: 'deferred', guarantee: 'best-effort', queue: 'memory', up: true }, async (server) => {
    const { response, bytes } = await master(server, 'm-db-memory');
    assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
    assert.is(response.headers.get('x-mastered-object-url'), null);
    await waitForOutput(server.output, (out) => out.includes(QUEUED));
    const queued = jsonLogRecords(server.output()).find((r) => r.message === QUEUED)!;
    assert.is(queued.level, 'INFO');
    assert.is(queued.correlation_id, 'm-db-memory');
    assert.match(String(queued.object_name), /^mastered\/[0-9a-f-]{36}\.wav$/);
    assert.is(queued.content_type, 'audio/wav');
    assert.is(queued.payload_size, bytes.byteLength);
    assert.match(String(queued.queue_name), /^test-matrix-/);
    const deferredEvent = jsonLogRecords(server.output()).find((r) => r.event_name === 'ArtifactPersistenceQueued' && r.correlation_id === 'm-db-memory')!;
    assert.is((deferredEvent.payload_summary as Record<string, unknown>).destination, `queue://${queued.queue_name}/${queued.object_name}`);
    await expectStoredLater(server, 'm-db-memory', bytes);
  });
});

const redisUp = await redisAnswers();
if (requireTool('redis-server on 127.0.0.1:6379', redisUp, 'deferred matrix on Redis')) {
  test('deferred + best-effort on the Redis queue: deferred, stored later', async () => {
    await withServer({ mode: 'deferred', guarantee: 'best-effort', queue: 'redis', up: true }, async (server) => {
      const { response, bytes } = await master(server, 'm-db-redis');
      assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
      await expectStoredLater(server, 'm-db-redis', bytes);
    });
  });

  test('deferred + best-effort with Redis unreachable: the audio, skipped, the warning', async () => {
    await withServer({ mode: 'deferred', guarantee: 'best-effort', queue: 'redis', up: false }, async (server) => {
      const { response, bytes } = await master(server, 'm-db-down');
      assert.is(response.status, 200);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'skipped');
      readWavInfo(bytes);
      await waitForOutput(server.output, (out) => out.includes(WARNING));
      expectWarning(server, 'm-db-down', 'queue_unavailable');
      assert.is(response.headers.get('x-artifact-persistence-reason'), 'queue_unavailable');
      const ready = await fetch(`${server.baseUrl}/ready`);
      assert.is(ready.status, 503);
      assert.is((await ready.json()).detail.checks.queue.status, 'unavailable');
    });
  });

  test('deferred + guaranteed on the durable Redis queue: deferred, stored later', async () => {
    await withServer({ mode: 'deferred', guarantee: 'guaranteed', queue: 'redis', up: true }, async (server) => {
      const { response, bytes } = await master(server, 'm-dg-redis');
      assert.is(response.status, 200);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
      assert.is(response.headers.get('x-mastered-object-url'), null);
      await expectStoredLater(server, 'm-dg-redis', bytes);
    });
  });

  test('deferred + guaranteed with Redis unreachable: 503 storage_unavailable', async () => {
    await withServer({ mode: 'deferred', guarantee: 'guaranteed', queue: 'redis', up: false }, async (server) => {
      const { response, bytes } = await master(server, 'm-dg-down');
      assert.is(response.status, 503);
      assert.is(JSON.parse(new TextDecoder().decode(bytes)).detail.code, 'storage_unavailable');
    });
  });
}

test('deferred + guaranteed on the memory queue: start-up is refused with a clear message', async () => {
  const error = await startServer(command, args, {
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
    AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed',
    AUDO_EQ_QUEUE_BACKEND: 'memory',
  }).then(
    async (server) => (await server.stop(), null),
    (e: Error) => e,
  );
  assert.match(error?.message ?? 'started', /invalid configuration: AUDO_EQ_QUEUE_BACKEND: deferred \+ guaranteed persistence needs a durable queue/);
});

test('across the rows, exactly the requests whose persistence succeeded own one object each', async () => {
  const correlationIds: string[] = [];
  for (const key of await s3.listKeys(BUCKET)) correlationIds.push((await s3.getObject(BUCKET, key)).metadata['correlation-id']);
  const expected = ['m-ib-up', 'm-ig-up', 'm-db-memory', ...(redisUp ? ['m-db-redis', 'm-dg-redis'] : [])];
  assert.equal(correlationIds.sort(), expected.sort());
});

test.run();
