// Storage faults over real HTTP: the Node server as a process against an
// S3-compatible server that is stopped, refuses the credentials, or accepts
// connections and never answers — under both persistence guarantees.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';
import { fixtureHead } from '../support/fixtures.ts';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startBlackHole, startS3rver } from '../support/s3.ts';
import { withinMs } from '../support/deadline.ts';
import { jsonLogRecords, postMaster, readWavInfo, waitForOutput } from '../support/http-client.ts';

const WARNING = 'Mastered audio storage failed; returning no URL.';
/** Far above the 2 s storage timeout: only a server that waits on dead storage without end misses it. */
const ANSWER_BOUND_MS = 60_000;
// Two seconds of real music: mastering it is quick.
const target = fixtureHead('indie_pop/target.wav', 2);
const reference = fixtureHead('indie_pop/reference.wav', 2);

/** Each fault with the code it must be classified as, the skip reason it gives, and the setting its message must name. */
type Fault = {
  name: string;
  code: string;
  reason: 'storage_unavailable' | 'storage_rejected';
  check: string;
  setup(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
};

const faults: Fault[] = [
  {
    name: 'the S3 server is stopped',
    code: 'storage_endpoint_unreachable',
    reason: 'storage_unavailable',
    check: 'AUDO_EQ_S3_ENDPOINT',
    async setup() {
      const s3 = await startS3rver({ buckets: ['faults'] });
      const endpoint = s3.endpoint;
      await s3.stop();
      return { env: { AUDO_EQ_S3_ENDPOINT: endpoint, AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY }, cleanup: async () => {} };
    },
  },
  {
    name: 'the access key id is unknown',
    code: 'storage_credentials_rejected',
    reason: 'storage_rejected',
    check: 'AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY',
    async setup() {
      const s3 = await startS3rver({ buckets: ['faults'] });
      return { env: { AUDO_EQ_S3_ENDPOINT: s3.endpoint, AUDO_EQ_S3_ACCESS_KEY: 'UNKNOWN-KEY-ID' }, cleanup: () => s3.stop() };
    },
  },
  {
    name: 'the server accepts connections and never answers',
    code: 'storage_timeout',
    reason: 'storage_unavailable',
    check: 'AUDO_EQ_S3_ENDPOINT, AUDO_EQ_S3_TIMEOUT_MS',
    async setup() {
      const hole = await startBlackHole();
      return { env: { AUDO_EQ_S3_ENDPOINT: hole.endpoint, AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY }, cleanup: () => hole.stop() };
    },
  },
];

async function withServer(fault: Fault, guarantee: string, body: (server: RunningServer) => Promise<void>) {
  const { env, cleanup } = await fault.setup();
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    ...env,
    AUDO_EQ_STORAGE_BACKEND: 's3',
    AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
    AUDO_EQ_S3_BUCKET: 'faults',
    AUDO_EQ_S3_TIMEOUT_MS: '2000',
    AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: guarantee,
    AUDO_EQ_LOG_FORMAT: 'json',
  });
  try {
    await body(server);
  } finally {
    await server.stop();
    await cleanup();
  }
}

for (const fault of faults) {
  // A hang fails the bound; how fast the answer comes is measured by `npm run bench -- failure-latency` (goal: 5 s).
  test(`when ${fault.name}, best-effort returns the audio as skipped (${fault.reason}) and logs the warning with ${fault.code}`, async () => {
    await withServer(fault, 'best-effort', async (server) => {
      const answer = async () => {
        const response = await postMaster(server.baseUrl, target, reference, { headers: { 'X-Correlation-Id': 'fault-be' } });
        return { response, body: new Uint8Array(await response.arrayBuffer()) };
      };
      const { response, body } = await withinMs(answer(), ANSWER_BOUND_MS, 'the /master answer');
      assert.is(response.status, 200);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'skipped');
      assert.is(response.headers.get('x-artifact-persistence-reason'), fault.reason);
      assert.is(response.headers.get('x-mastered-object-url'), null);
      assert.is(response.headers.get('x-mastered-object-key'), null);
      assert.is(readWavInfo(body).sampleRateHz, 44100);
      await waitForOutput(server.output, (out) => jsonLogRecords(out).some((r) => r.message === WARNING));
      const warning = jsonLogRecords(server.output()).find((r) => r.message === WARNING)!;
      assert.is(warning.level, 'WARN');
      assert.is(warning.correlation_id, 'fault-be');
      assert.type((warning.error as { message?: string }).message, 'string');
      assert.is(warning.storage_error, fault.code);
      assert.is(warning.check, fault.check);
    });
  });

  test(`when ${fault.name}, guaranteed answers 503 storage_unavailable with Retry-After; /ready names ${fault.code}`, async () => {
    await withServer(fault, 'guaranteed', async (server) => {
      const answer = async () => {
        const response = await postMaster(server.baseUrl, target, reference, { headers: { 'X-Correlation-Id': 'fault-g' } });
        return { response, body: await response.json() };
      };
      const { response, body } = await withinMs(answer(), ANSWER_BOUND_MS, 'the /master answer');
      assert.is(response.status, 503);
      assert.is(body.detail.code, 'storage_unavailable');
      assert.is(body.detail.reason, fault.reason);
      assert.is(body.detail.storage_error, fault.code);
      assert.ok(Number(response.headers.get('retry-after')) > 0, `Retry-After: ${response.headers.get('retry-after')}`);
      assert.is(response.headers.get('x-correlation-id'), 'fault-g');
      const ready = await fetch(`${server.baseUrl}/ready`);
      assert.is(ready.status, 503);
      const { detail } = await ready.json();
      assert.is(detail.code, 'not_ready');
      assert.equal(detail.failed, ['storage']);
      assert.is(detail.checks.storage.status, 'unavailable');
      assert.is(detail.checks.storage.code, fault.code);
      assert.is(detail.checks.storage.check, fault.check);
    });
  });
}

test('a missing bucket is created and the artifact stored', async () => {
  const s3 = await startS3rver();
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    AUDO_EQ_STORAGE_BACKEND: 's3',
    AUDO_EQ_S3_ENDPOINT: s3.endpoint,
    AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
    AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
    AUDO_EQ_S3_BUCKET: 'made-on-demand',
    AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed',
  });
  try {
    assert.is(await s3.bucketExists('made-on-demand'), false);
    const response = await postMaster(server.baseUrl, target, reference);
    const body = new Uint8Array(await response.arrayBuffer());
    assert.is(response.status, 200);
    assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
    assert.is(await s3.bucketExists('made-on-demand'), true);
    const [key] = await s3.listKeys('made-on-demand');
    assert.equal((await s3.getObject('made-on-demand', key)).bytes, body);
  } finally {
    await server.stop();
    await s3.stop();
  }
});

test.run();
