// The API process is restarted between enqueue and upload (gracefully, and
// with SIGKILL) while S3 is down; with the Redis queue the artifact survives
// and the next API process's worker stores it once S3 is back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitUntil, withinMs } from '../support/deadline.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { eventNamesFor, jsonLogRecords, postMaster, waitForOutput } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL, uniqueQueueName } from '../support/redis.ts';
import { closedPort, startS3rver, type TestS3Server, s3rverEnv } from '../support/s3.ts';
import { requireTool } from '../support/tools.ts';

const BUCKET = 'restart';
const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

if (requireTool('redis-server on 127.0.0.1:6379', await redisAnswers(), 'API restart')) {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    test(`an artifact queued in Redis survives an API restart (${signal}) while S3 is down and is stored by the next process`, async () => {
      const s3Port = await closedPort();
      const name = uniqueQueueName('restart');
      const env = {
        AUDO_EQ_LOG_FORMAT: 'json',
        AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
        AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed',
        AUDO_EQ_QUEUE_BACKEND: 'redis',
        AUDO_EQ_REDIS_URL: TEST_REDIS_URL,
        AUDO_EQ_QUEUE_NAME: name,
        AUDO_EQ_QUEUE_VISIBILITY_TIMEOUT_MS: '3000',
        AUDO_EQ_QUEUE_RETRY_BASE_MS: '100',
        AUDO_EQ_QUEUE_RETRY_MAX_MS: '1000',
        AUDO_EQ_QUEUE_MAX_ATTEMPTS: '1000',
        ...s3rverEnv(`http://127.0.0.1:${s3Port}`, BUCKET),
      };
      const [command, args] = nodeServerCommand();
      const servers: RunningServer[] = [];
      let s3: TestS3Server | null = null;
      try {
        const first = await startServer(command, args, env);
        servers.push(first);
        const response = await postMaster(first.baseUrl, target, reference, { headers: { 'X-Correlation-Id': `restart-${signal}` } });
        const body = new Uint8Array(await response.arrayBuffer());
        assert.is(response.status, 200);
        assert.is(response.headers.get('x-artifact-persistence-status'), 'deferred');
        // The worker has tried (and failed) to upload: the task is between enqueue and upload.
        await waitForOutput(first.output, (out) => jsonLogRecords(out).some((r) => r.message === 'Deferred artifact upload failed; retrying later'), 10_000);
        await withinMs(first.stop(signal), 15_000, `first API stops on ${signal}`);

        s3 = await startS3rver({ port: s3Port, buckets: [BUCKET] });
        const second = await startServer(command, args, env);
        servers.push(second);
        await waitUntil(async () => (await s3!.listKeys(BUCKET)).length > 0, 20_000, () => 'nothing stored');
        const [key] = await s3.listKeys(BUCKET);
        const stored = await s3.getObject(BUCKET, key);
        assert.equal(stored.bytes, body, 'the stored object is the audio the client received');
        assert.is(stored.metadata['correlation-id'], `restart-${signal}`);
        await waitForOutput(second.output, (out) => eventNamesFor(out, `restart-${signal}`).includes('ArtifactStored'), 5000);
        assert.is((await s3.listKeys(BUCKET)).length, 1);
      } finally {
        for (const server of servers) await server.stop('SIGKILL');
        await s3?.stop();
        await deleteQueueKeys(name);
      }
    });
  }
}

test.run();
