// Real Redis for the queue tests (127.0.0.1:6379; `.ci/run` starts one):
// whether it answers, a queue name no other test run uses, and removal of
// every key that queue created.
import { createClient } from 'redis';

export const TEST_REDIS_URL = process.env.AUDO_EQ_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers PING within `timeoutMs` (for `requireTool`). */
export async function redisAnswers(timeoutMs = 1500): Promise<boolean> {
  const client = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    const ping = client.connect().then(() => client.ping());
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs));
    return (await Promise.race([ping, timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** A queue name unique to this test run, e.g. `test-outage-3f9c2a1b` (stream `audo-eq:test-outage-3f9c2a1b`). */
export function uniqueQueueName(label: string): string {
  return `test-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A plain client for inspecting and seeding streams; close it with `close()`. */
export async function testRedisClient() {
  const client = createClient({ url: TEST_REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Deletes the stream, dead-letter stream and payload keys of queue `name`. */
export async function deleteQueueKeys(name: string): Promise<void> {
  const client = await testRedisClient();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `audo-eq:${name}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}
