// /health keeps answering while the server masters: two clients (curl
// processes, so this process only probes) each send two 30 s stereo masters
// one after another, and /health is probed until all four are answered. Every
// probe must answer 200 {"status":"ok"}, and some must be answered while
// /metrics shows a mastering job running (the event loop is not held by the
// workers). How fast it answers is a goal in `npm run bench -- health`, not a
// test: shared CI machines miss time bounds for reasons that are not bugs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFixture } from '../support/fixtures.ts';
import { loopedWav } from '../support/load.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';

const CLIENTS = 2;
const MASTERS_PER_CLIENT = 2;
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

async function jobsRunning(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = /^audo_eq_worker_jobs_running\s+(\d+)/m.exec(text);
  assert.ok(match, 'audo_eq_worker_jobs_running is in /metrics');
  return Number(match[1]);
}

if (requireTool('curl', hasTool('curl', ['--version']), '/health under load')) {
  test('GET /health answers 200 throughout, also while mastering jobs run, as two clients keep 30 s stereo masters going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audo-eq-health-'));
    const target = join(dir, 'target-30s.wav');
    const reference = join(dir, 'reference-30s.wav');
    writeFileSync(target, loopedWav(readFixture('indie_pop/target.wav'), 30));
    writeFileSync(reference, loopedWav(readFixture('indie_pop/reference.wav'), 30));
    const [command, args] = nodeServerCommand();
    const server = await startServer(command, args, {
      AUDO_EQ_WORKERS: String(Math.max(1, availableParallelism() - 1)),
      AUDO_EQ_MAX_PENDING: String(CLIENTS),
      AUDO_EQ_STORAGE_ENABLED: 'false',
    });
    try {
      let mastersDone = false;
      const client = async () => {
        const statuses: number[] = [];
        for (let i = 0; i < MASTERS_PER_CLIENT; i++) statuses.push(await curlMaster(server.baseUrl, target, reference));
        return statuses;
      };
      const masters = Promise.all(Array.from({ length: CLIENTS }, client)).then((perClient) => perClient.flat());
      void masters.finally(() => (mastersDone = true));
      let probes = 0;
      let probesDuringMastering = 0;
      while (!mastersDone) {
        const runningBefore = await jobsRunning(server.baseUrl);
        const response = await fetch(`${server.baseUrl}/health`);
        assert.is(response.status, 200);
        assert.equal(await response.json(), { status: 'ok' });
        probes++;
        if (runningBefore > 0 && (await jobsRunning(server.baseUrl)) > 0) probesDuringMastering++;
        await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
      }
      assert.equal(await masters, Array(CLIENTS * MASTERS_PER_CLIENT).fill(200));
      assert.ok(probesDuringMastering >= 3, `${probesDuringMastering} of ${probes} probes answered while a job ran`);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
