// Real Redis for the queue tests (127.0.0.1:6379; `.ci/run` starts one):
// whether it answers, a queue name no other test run uses, and removal of
// every key that queue created. The client is ioredis, the one BullMQ uses.
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.AUDO_EQ_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Closes a client and waits until its socket is gone (so no test leaves a handle open). */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
  await ended;
}

/** Whether Redis answers PING within `timeoutMs` (for `requireTool`). */
export async function redisAnswers(timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(TEST_REDIS_URL, { connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  client.on('error', () => {});
  try {
    const ping = client.connect().then(() => client.ping());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)));
    return (await Promise.race([ping, timeout]).finally(() => clearTimeout(timer))) === 'PONG';
  } catch {
    return false;
  } finally {
    await closeClient(client);
  }
}

/** A queue name unique to this test run, e.g. `test-outage-3f9c2a1b` (keys `audo-eq:test-outage-3f9c2a1b:*`). */
export function uniqueQueueName(label: string): string {
  return `test-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A plain client for inspecting and seeding Redis; close it with `closeClient()`. */
export async function testRedisClient(): Promise<Redis> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Every key of queue `name` (BullMQ's, payloads, dead letters), e.g. to check nothing is left. */
export async function queueKeys(name: string): Promise<string[]> {
  const client = await testRedisClient();
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `audo-eq:${name}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    await closeClient(client);
  }
}

/** Deletes every key of queue `name`. */
export async function deleteQueueKeys(name: string): Promise<void> {
  const keys = await queueKeys(name);
  if (keys.length === 0) return;
  const client = await testRedisClient();
  try {
    await client.del(...keys);
  } finally {
    await closeClient(client);
  }
}
