// /health stays quick while the server masters: four clients (curl processes,
// so this process only probes) each send three 30 s stereo masters one after
// another, so uploads and mastering overlap as under steady load, and /health
// is probed every 20 ms until all twelve are answered, at least 100 times; the
// 99th percentile must stay under 100 ms. (One round of four is over too soon
// since mastering got fast: its few probes are mostly the start-up burst, four
// curl processes and four uploads at once on two cores.) Workers are one fewer than the CPUs
// (at least one) so a core is left for the event loop, as operators size it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFixture } from '../support/fixtures.ts';
import { loopedWav, percentile } from '../support/load.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';

const CLIENTS = 4;
const MASTERS_PER_CLIENT = 3;
const MIN_PROBES = 100;
const PROBE_EVERY_MS = 20;

/** POSTs the pair with curl; resolves with the HTTP status curl saw. */
function curlMaster(baseUrl: string, target: string, reference: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '300', '-F', `target=@${target}`, '-F', `reference=@${reference}`, `${baseUrl}/master`]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', () => resolve(Number(out)));
  });
}

if (requireTool('curl', hasTool('curl', ['--version']), '/health latency under load')) {
  test('GET /health answers within 100 ms at the 99th percentile while four clients keep 30 s stereo masters running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audo-eq-latency-'));
    const target = join(dir, 'target-30s.wav');
    const reference = join(dir, 'reference-30s.wav');
    writeFileSync(target, loopedWav(readFixture('indie_pop/target.wav'), 30));
    writeFileSync(reference, loopedWav(readFixture('indie_pop/reference.wav'), 30));
    const workers = Math.max(1, availableParallelism() - 1);
    const [command, args] = nodeServerCommand();
    const server = await startServer(command, args, {
      AUDO_EQ_WORKERS: String(workers),
      AUDO_EQ_MAX_PENDING: String(CLIENTS),
      AUDO_EQ_STORAGE_ENABLED: 'false',
    });
    try {
      await (await fetch(`${server.baseUrl}/health`)).text();
      let mastersDone = false;
      const client = async () => {
        const statuses: number[] = [];
        for (let i = 0; i < MASTERS_PER_CLIENT; i++) statuses.push(await curlMaster(server.baseUrl, target, reference));
        return statuses;
      };
      const masters = Promise.all(Array.from({ length: CLIENTS }, client)).then((perClient) => perClient.flat());
      void masters.finally(() => (mastersDone = true));
      const latenciesMs: number[] = [];
      while (!mastersDone || latenciesMs.length < MIN_PROBES) {
        const startedMs = performance.now();
        const response = await fetch(`${server.baseUrl}/health`);
        const body = await response.json();
        latenciesMs.push(performance.now() - startedMs);
        assert.is(response.status, 200);
        assert.equal(body, { status: 'ok' });
        await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
      }
      assert.equal(await masters, Array(CLIENTS * MASTERS_PER_CLIENT).fill(200));
      const p99 = percentile(latenciesMs, 99);
      console.log(
        `health under load: ${CLIENTS} clients × ${MASTERS_PER_CLIENT} 30 s stereo masters, ${workers} worker(s), ${latenciesMs.length} probes, ` +
          `p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latenciesMs).toFixed(1)} ms`,
      );
      assert.ok(latenciesMs.length >= MIN_PROBES);
      assert.ok(p99 < 100, `p99 ${p99.toFixed(1)} ms`);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
