// Deferred-persistence queue costs for a 3-minute 48 kHz stereo 24-bit master
// (~50 MiB): enqueue latency (what a deferred request waits for), a full
// consume + acknowledge round trip, and the cost of the readings `/ready` and
// `/metrics` take (depth, oldest age) while such artifacts are queued — the
// reason the Redis (BullMQ) queue keeps payloads out of the job data.
import { createMemoryQueue } from '../adapters/queue/memory.ts';
import { createRedisQueue } from '../adapters/queue/redis.ts';
import type { ArtifactPersistenceTask, ArtifactQueue } from '../core/app/ports.ts';
import { deleteQueueKeys, redisAnswers, TEST_REDIS_URL } from '../test/support/redis.ts';

const ARTIFACT_BYTES = 3 * 60 * 48_000 * 2 * 3 + 44;
const ROUNDS = 5;

function task(index: number): ArtifactPersistenceTask {
  const bytes = new Uint8Array(ARTIFACT_BYTES);
  bytes.fill(index & 0xff);
  return { object: { key: `mastered/bench-${index}.wav`, bytes, contentType: 'audio/wav', metadata: { 'correlation-id': `bench-${index}` } }, correlationId: `bench-${index}`, enqueuedAt: new Date().toISOString() };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(label: string, queue: ArtifactQueue): Promise<void> {
  const enqueueMs: number[] = [];
  const roundTripMs: number[] = [];
  const readingsMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = task(i);
    let started = performance.now();
    await queue.enqueue(t);
    enqueueMs.push(performance.now() - started);
    started = performance.now();
    await Promise.all([queue.depth(), queue.oldestAgeMs(), queue.deadLetterDepth()]);
    readingsMs.push(performance.now() - started);
    started = performance.now();
    const [delivery] = await queue.consume({ maxTasks: 1, waitMs: 1000 });
    if (delivery?.task?.object.bytes.byteLength !== ARTIFACT_BYTES) throw new Error(`${label}: the payload did not come back whole`);
    await queue.acknowledge(delivery);
    roundTripMs.push(performance.now() - started);
  }
  console.log(
    `${label.padEnd(6)} ${(ARTIFACT_BYTES / 1024 / 1024).toFixed(1)} MiB: enqueue ${median(enqueueMs).toFixed(1)} ms, ` +
      `consume+ack ${median(roundTripMs).toFixed(1)} ms, depth+age+dead ${median(readingsMs).toFixed(2)} ms (medians of ${ROUNDS})`,
  );
}

await measure('memory', createMemoryQueue({ name: 'bench', capacity: 10, maxBytes: 2 ** 31, visibilityTimeoutMs: 60_000 }));

if (await redisAnswers()) {
  const name = `bench-${crypto.randomUUID().slice(0, 8)}`;
  const queue = createRedisQueue({ url: TEST_REDIS_URL, name, capacity: 100, visibilityTimeoutMs: 60_000, timeoutMs: 5000, consumerName: 'bench' });
  try {
    await queue.connected();
    await measure('redis', queue);
  } finally {
    await queue.close();
    await deleteQueueKeys(name);
  }
} else {
  console.log('redis  skipped: nothing answers on 127.0.0.1:6379');
}
