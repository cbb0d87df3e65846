// Deferred persistence on the Deno runtime: the same composition with the
// Redis queue (the `redis` npm client under Deno) and its in-process worker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureHead } from '../support/fixtures.ts';
import { eventNamesFor, postMaster, waitForOutput } from '../support/http-client.ts';
import { denoBinary, startServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { requireTool } from '../support/tools.ts';

const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

if (requireTool('deno', existsSync(denoBinary), 'Deno deferred persistence') && requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'Deno deferred persistence')) {
  test('the Deno runtime queues a guaranteed artifact in Redis and its worker stores the same bytes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-deno-deferred-'));
    const name = uniqueQueueName('deno');
    const server = await startServer(denoBinary, ['run', '-A', 'runtimes/deno/server.ts'], {
      AUDO_EQ_LOG_FORMAT: 'json',
      AUDO_EQ_STORAGE_BACKEND: 'filesystem',
      AUDO_EQ_DATA_DIR: dataDir,
      AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
      AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed',
      AUDO_EQ_QUEUE_BACKEND: 'redis',
      AUDO_EQ_REDIS_URL: TEST_REDIS_URL,
      AUDO_EQ_QUEUE_NAME: name,
    });
    try {
      const response = await postMaster(server.baseUrl, target, reference, { headers: { 'X-Correlation-Id': 'deno-deferred-1' } });
      const body = new Uint8Array(await response.arrayBuffer());
      assert.is(response.status, 200);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
      await waitForOutput(server.output, (out) => eventNamesFor(out, 'deno-deferred-1').includes('ArtifactStored'), 15_000);
      const files = readdirSync(join(dataDir, 'mastered')).filter((file) => file.endsWith('.wav'));
      assert.is(files.length, 1);
      assert.equal(new Uint8Array(readFileSync(join(dataDir, 'mastered', files[0]))), body);
      const ready = await (await fetch(`${server.baseUrl}/ready`)).json();
      assert.equal({ backend: ready.checks.queue.backend, depth: ready.checks.queue.depth }, { backend: 'redis', depth: 0 });
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await deleteQueueKeys(name);
    }
  });
}

test.run();
