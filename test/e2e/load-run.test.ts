// A bounded load run on loopback: 200 POST /master requests from 8 concurrent
// clients on short fixtures (the three pairs, both EQ modes, 2 s each) against
// the Node server with its default worker pool and filesystem storage. No 5xx
// other than `overloaded`; every stored artifact is on disk with the bytes the
// client got; the server's peak RSS stays bounded and is reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureHead } from '../support/fixtures.ts';
import { postMaster } from '../support/http-client.ts';
import { memoryMiB, runConcurrently } from '../support/load.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';

const REQUESTS = 200;
const CLIENTS = 8;
const SECONDS_PER_FILE = 2;
/** Far above what 8 short masters in flight need; a leak of even 2 MiB per request would cross it. */
const PEAK_RSS_BOUND_MIB = 640;

const PAIRS = ['indie_pop', 'synthwave_48k_24bit', 'speech_mono_target'];

test('200 masters from 8 concurrent clients: no 5xx but overloaded, every stored artifact present, bounded RSS', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-load-'));
  const inputs = PAIRS.map((pair) => ({
    target: fixtureHead(`${pair}/target.wav`, SECONDS_PER_FILE),
    reference: fixtureHead(`${pair}/reference.wav`, SECONDS_PER_FILE),
  }));
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, {
    AUDO_EQ_STORAGE_BACKEND: 'filesystem',
    AUDO_EQ_DATA_DIR: dataDir,
    AUDO_EQ_LOG_LEVEL: 'info',
  });
  const pid = server.process.pid!;
  try {
    const startedMs = performance.now();
    const results = await runConcurrently(REQUESTS, CLIENTS, async (index) => {
      const input = inputs[index % inputs.length];
      const query = index % 2 === 0 ? '?eq_mode=reference-match' : '';
      const response = await postMaster(server.baseUrl, input.target, input.reference, {
        query,
        headers: { 'X-Correlation-Id': `load-${index}` },
        signal: AbortSignal.timeout(120_000),
      });
      const body = new Uint8Array(await response.arrayBuffer());
      const code = response.status === 200 ? undefined : (JSON.parse(new TextDecoder().decode(body)) as { detail: { code: string } }).detail.code;
      return { status: response.status, code, body, key: response.headers.get('x-mastered-object-key'), persistence: response.headers.get('x-artifact-persistence-status') };
    });
    const seconds = (performance.now() - startedMs) / 1000;
    const { peak } = memoryMiB(pid);

    const byStatus: Record<string, number> = {};
    for (const result of results) {
      const key = result.code ? `${result.status} ${result.code}` : String(result.status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    }
    console.log(`load run: ${REQUESTS} requests, ${CLIENTS} clients, ${seconds.toFixed(1)} s (${(REQUESTS / seconds).toFixed(1)} req/s), statuses ${JSON.stringify(byStatus)}, server peak RSS ${peak.toFixed(0)} MiB`);

    const serverErrors = results.filter((r) => r.status >= 500 && r.code !== 'overloaded');
    assert.equal(serverErrors.map((r) => `${r.status} ${r.code}`), []);
    const stored = results.filter((r) => r.status === 200);
    assert.ok(stored.length > REQUESTS / 2, `${stored.length} of ${REQUESTS} were mastered`);
    for (const result of stored) {
      assert.is(result.persistence, 'stored');
      const path = join(dataDir, result.key!);
      assert.ok(Buffer.from(readFileSync(path)).equals(Buffer.from(result.body)), `${path} holds the bytes the client got`);
    }
    assert.ok(peak < PEAK_RSS_BOUND_MIB, `server peak RSS ${peak.toFixed(0)} MiB`);
  } finally {
    assert.is(await server.stop(), 0);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
