// How fast /ready follows storage (a goal, not a test: the test asserts that
// it turns both ways, bounded only against a hang). Server process against
// s3rver on a fixed port, AUDO_EQ_READY_TIMEOUT_MS=2000 (default): time from
// stopping s3rver to the first 503, and from starting it again to the first
// 200, polling every 100 ms. Goal: 5 s each way (a round of checks answers
// for 1 s; a stopped server refuses at once).
import { closedPort, s3rverEnv, startS3rver } from '../test/support/s3.ts';
import { nodeServerCommand, startServer } from '../test/support/processes.ts';

const GOAL_MS = 5000;
const ROUNDS = 3;
const BUCKET = 'readiness-bench';

async function untilStatus(baseUrl: string, status: number): Promise<number> {
  const startedMs = performance.now();
  for (;;) {
    const response = await fetch(`${baseUrl}/ready`);
    await response.arrayBuffer();
    if (response.status === status) return performance.now() - startedMs;
    if (performance.now() - startedMs > 60_000) throw new Error(`/ready never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const port = await closedPort();
let s3 = await startS3rver({ port, buckets: [BUCKET] });
const [command, args] = nodeServerCommand();
const server = await startServer(command, args, s3rverEnv(s3.endpoint, BUCKET, { timeoutMs: 2000 }));
const rows: Array<{ label: string; ms: number }> = [];
try {
  await untilStatus(server.baseUrl, 200);
  for (let round = 1; round <= ROUNDS; round++) {
    await s3.stop();
    rows.push({ label: `round ${round}: S3 stopped → /ready 503`, ms: await untilStatus(server.baseUrl, 503) });
    s3 = await startS3rver({ port, buckets: [BUCKET] });
    rows.push({ label: `round ${round}: S3 started → /ready 200`, ms: await untilStatus(server.baseUrl, 200) });
  }
} finally {
  await server.stop();
  await s3.stop();
}
for (const { label, ms } of rows) {
  console.log(`${label.padEnd(40)} ${String(Math.round(ms)).padStart(6)} ms  (goal ${GOAL_MS} ms) ${ms <= GOAL_MS ? 'ok' : 'MISSED'}`);
}
process.exitCode = rows.every(({ ms }) => ms <= GOAL_MS) ? 0 : 1;
