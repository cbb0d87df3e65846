// How fast a dead dependency turns into an answer (goals, not tests: the
// tests assert what the answer is and that it comes, bounded only against a
// hang; shared CI machines miss time bounds for reasons that are not bugs).
//
// Server, 2 s of music, AUDO_EQ_S3_TIMEOUT_MS=2000, AUDO_EQ_REDIS_TIMEOUT_MS=1000:
//   S3 stopped / never answering: best-effort `skipped` and guaranteed `503` — goal 5 s
//   deferred, Redis unreachable: best-effort `skipped` and guaranteed `503` — goal 5 s
// Adapters: S3 store to a closed port, to a server that never answers (1.5 s
// budget) — goal 5 s; Redis enqueue to a closed port — goal 4 s, to a server
// that never answers (0.5 s budget) — goal 2 s.
import { readFileSync } from 'node:fs';
import { createRedisQueue } from '../adapters/queue/redis.ts';
import { createS3Storage } from '../adapters/storage/s3.ts';
import { ensureFixtures, fixturePath } from '../test/support/fixtures.ts';
import { postMaster, truncateWav } from '../test/support/http-client.ts';
import { nodeServerCommand, startServer } from '../test/support/processes.ts';
import { closedPort, S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startBlackHole } from '../test/support/s3.ts';

interface Row {
  readonly label: string;
  readonly ms: number;
  readonly goalMs: number;
  readonly outcome: string;
}

const rows: Row[] = [];

async function timed(label: string, goalMs: number, run: () => Promise<string>): Promise<void> {
  const startedMs = performance.now();
  const outcome = await run();
  rows.push({ label, ms: performance.now() - startedMs, goalMs, outcome });
}

ensureFixtures();
const target = truncateWav(new Uint8Array(readFileSync(fixturePath('indie_pop/target.wav'))), 2);
const reference = truncateWav(new Uint8Array(readFileSync(fixturePath('indie_pop/reference.wav'))), 2);
const [command, args] = nodeServerCommand();

/** One server against `env`; times one /master (after a warm-up /health). */
async function serverRow(label: string, env: Record<string, string>): Promise<void> {
  const server = await startServer(command, args, { AUDO_EQ_S3_TIMEOUT_MS: '2000', AUDO_EQ_REDIS_TIMEOUT_MS: '1000', ...env });
  try {
    await (await fetch(`${server.baseUrl}/health`)).text();
    await timed(label, 5000, async () => {
      const response = await postMaster(server.baseUrl, target, reference);
      await response.arrayBuffer();
      return `${response.status} ${response.headers.get('x-artifact-persistence-status') ?? ''}`.trim();
    });
  } finally {
    await server.stop();
  }
}

const s3Env = (endpoint: string): Record<string, string> => ({
  AUDO_EQ_STORAGE_BACKEND: 's3',
  AUDO_EQ_S3_ENDPOINT: endpoint,
  AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
  AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
  AUDO_EQ_S3_BUCKET: 'faults',
});

const stopped = `http://127.0.0.1:${await closedPort()}`;
const hole = await startBlackHole();
try {
  for (const guarantee of ['best-effort', 'guaranteed']) {
    await serverRow(`server, S3 stopped, ${guarantee}`, { ...s3Env(stopped), AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: guarantee });
    await serverRow(`server, S3 never answers, ${guarantee}`, { ...s3Env(hole.endpoint), AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: guarantee });
    await serverRow(`server, deferred, Redis unreachable, ${guarantee}`, {
      AUDO_EQ_STORAGE_BACKEND: 'filesystem',
      AUDO_EQ_DATA_DIR: `/tmp/audo-eq-failure-bench-${process.pid}`,
      AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred',
      AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: guarantee,
      AUDO_EQ_QUEUE_BACKEND: 'redis',
      AUDO_EQ_REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
  }

  const s3Options = { secure: false, region: 'us-east-1', accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET_KEY, bucket: 'faults', urlTtlSeconds: 600, timeoutMs: 1500, maxAttempts: 2 };
  const object = { key: 'mastered/bench.wav', bytes: new Uint8Array(1024), contentType: 'audio/wav', metadata: {} };
  for (const [label, endpoint] of [['S3 store, closed port', stopped.replace('http://', '')], ['S3 store, never answers (1.5 s budget)', hole.endpoint]] as const) {
    const storage = createS3Storage({ ...s3Options, endpoint });
    await timed(label, 5000, () => storage.store(object).then(() => 'stored', (error: Error) => `failed: ${error.message.slice(0, 60)}`));
    storage.destroy();
  }

  const task = { object, correlationId: 'bench', enqueuedAt: new Date().toISOString() };
  const redisOptions = { name: `bench-${crypto.randomUUID().slice(0, 8)}`, capacity: 10, visibilityTimeoutMs: 60_000, consumerName: 'bench' };
  const closedQueue = createRedisQueue({ ...redisOptions, url: `redis://127.0.0.1:${await closedPort()}`, timeoutMs: 1000 });
  await timed('Redis enqueue, closed port', 4000, () => closedQueue.enqueue(task).then(() => 'enqueued', (error: Error) => `failed: ${error.message.slice(0, 60)}`));
  await closedQueue.close();
  const silentQueue = createRedisQueue({ ...redisOptions, url: `redis://127.0.0.1:${hole.port}`, timeoutMs: 500 });
  await timed('Redis enqueue, never answers (0.5 s budget)', 2000, () => silentQueue.enqueue(task).then(() => 'enqueued', (error: Error) => `failed: ${error.message.slice(0, 60)}`));
  await silentQueue.close();
} finally {
  await hole.stop();
}

for (const row of rows) {
  const verdict = row.ms < row.goalMs ? 'met' : 'MISSED';
  console.log(`${row.label.padEnd(48)} ${row.ms.toFixed(0).padStart(6)} ms (goal < ${row.goalMs} ms, ${verdict})  ${row.outcome}`);
}
