// Readiness follows storage both ways: the Node server as a process against
// s3rver on a fixed port; the S3 server is stopped and started again on the
// same port while the API keeps running. /ready must go 503 naming storage
// and back to 200 by itself once the server answers again. The waits are
// bounded only against a hang (30 s); how fast it turns (goal 5 s: one cached
// round of 1 s plus a refused connection) is `npm run bench -- readiness`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { closedPort, s3rverEnv, startS3rver } from '../support/s3.ts';
import { postMaster } from '../support/http-client.ts';

const BUCKET = 'ready-recovery';
const HANG_BOUND_MS = 30_000;
const target = fixtureHead('indie_pop/target.wav', 1);
const reference = fixtureHead('indie_pop/reference.wav', 1);

/** Polls /ready until it answers `status`; fails after `limitMs` (a hang, not slowness). */
async function readyBecomes(baseUrl: string, status: number, limitMs: number): Promise<{ ms: number; body: { detail?: Record<string, any>; checks?: Record<string, any> } }> {
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${baseUrl}/ready`);
    const body = await response.json();
    const ms = performance.now() - started;
    if (response.status === status) return { ms, body };
    if (ms > limitMs) throw new Error(`/ready still answered ${response.status} after ${Math.round(ms)} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('/ready goes 503 naming storage after the S3 server stops, and 200 again by itself after it restarts', async () => {
  const port = await closedPort();
  let s3 = await startS3rver({ port, buckets: [BUCKET] });
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    ...s3rverEnv(s3.endpoint, BUCKET, { timeoutMs: 2000 }),
    AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed',
    AUDO_EQ_LOG_FORMAT: 'json',
  });
  try {
    const up = await readyBecomes(server.baseUrl, 200, HANG_BOUND_MS);
    assert.equal(up.body.checks!.storage, { status: 'ok', backend: 's3' });

    await s3.stop();
    const down = await readyBecomes(server.baseUrl, 503, HANG_BOUND_MS);
    assert.equal(down.body.detail!.failed, ['storage']);
    assert.is(down.body.detail!.checks.storage.status, 'unavailable');
    assert.is(down.body.detail!.checks.storage.code, 'storage_endpoint_unreachable');
    assert.is(down.body.detail!.checks.storage.check, 'AUDO_EQ_S3_ENDPOINT');
    // Meanwhile a guaranteed /master says so and when to come back.
    const refused = await postMaster(server.baseUrl, target, reference);
    assert.is(refused.status, 503);
    assert.is((await refused.json()).detail.code, 'storage_unavailable');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);

    s3 = await startS3rver({ port, buckets: [BUCKET] });
    const back = await readyBecomes(server.baseUrl, 200, HANG_BOUND_MS);
    assert.equal(back.body.checks!.storage, { status: 'ok', backend: 's3' });
    const stored = await postMaster(server.baseUrl, target, reference);
    await stored.arrayBuffer();
    assert.is(stored.status, 200);
    assert.is(stored.headers.get('x-artifact-persistence-status'), 'stored');
  } finally {
    await server.stop();
    await s3.stop();
  }
});

test.run();
