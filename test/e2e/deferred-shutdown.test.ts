// Graceful shutdown with the memory queue: SIGTERM right after the responses
// went out, while uploads are still queued behind a slow S3; the process
// drains the queue before it exits, so nothing accepted is lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withinMs } from '../support/deadline.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { jsonLogRecords, postMaster } from '../support/http-client.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3rver } from '../support/s3.ts';
import { startSlowProxy } from '../support/slow-proxy.ts';

const BUCKET = 'shutdown';
const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

test('SIGTERM drains the memory queue into storage before the process exits', async () => {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  const proxy = await startSlowProxy(s3.port, 100);
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    AUDO_EQ_LOG_FORMAT: 'json',
    AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
    AUDO_EQ_QUEUE_BACKEND: 'memory',
    AUDO_EQ_DEFERRED_WORKER_CONCURRENCY: '1',
    AUDO_EQ_STORAGE_BACKEND: 's3',
    AUDO_EQ_S3_ENDPOINT: proxy.endpoint,
    AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
    AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
    AUDO_EQ_S3_BUCKET: BUCKET,
  });
  try {
    // Nothing reaches S3 until SIGTERM has been sent: every upload is still queued then.
    proxy.pause();
    const bodies = new Map<string, Uint8Array>();
    for (let i = 0; i < 4; i++) {
      const response = await postMaster(server.baseUrl, target, reference, { query: `?target_lufs=${-20 - i}`, headers: { 'X-Correlation-Id': `drain-${i}` } });
      assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
      bodies.set(`drain-${i}`, new Uint8Array(await response.arrayBuffer()));
    }
    const stopped = server.stop('SIGTERM');
    setTimeout(() => proxy.release(), 300);
    assert.is(await withinMs(stopped, 15_000, 'graceful stop'), 0);
    const keys = await s3.listKeys(BUCKET);
    assert.is(keys.length, 4);
    for (const key of keys) {
      const object = await s3.getObject(BUCKET, key);
      assert.equal(object.bytes, bodies.get(object.metadata['correlation-id']));
    }
    assert.not.ok(jsonLogRecords(server.output()).some((r) => r.level === 'ERROR'), 'nothing reported lost');
  } finally {
    await server.stop('SIGKILL');
    await proxy.stop();
    await s3.stop();
  }
});

test.run();
