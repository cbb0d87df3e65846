// Backpressure over real HTTP: with one worker and two waiting places, a burst
// of ten masters gives three 200s (one running, two waiting) and seven
// immediate 503 overloaded with Retry-After; nothing hangs, and the server's
// memory settles back to where it was before the bursts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFixture } from '../support/fixtures.ts';
import { postMaster } from '../support/http-client.ts';
import { memoryMiB, settleTo } from '../support/load.ts';
import { nodeServerCommand, startServer } from '../support/processes.ts';

const BURST = 10;
const ROUNDS = 3;
/** No single request may take longer than this: a hang fails the test instead of stalling it. */
const REQUEST_DEADLINE_MS = 120_000;
/** RSS may sit this far above the warmed-up baseline once the bursts are over (allocator slack). */
const SETTLED_SLACK_MIB = 48;

interface Outcome {
  readonly status: number;
  readonly code?: string;
  readonly retryAfter: string | null;
}

test('a burst of 10 with AUDO_EQ_WORKERS=1 and AUDO_EQ_MAX_PENDING=2 gives 200s and immediate 503 overloaded with Retry-After, none hangs, memory returns to baseline', async () => {
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, { AUDO_EQ_WORKERS: '1', AUDO_EQ_MAX_PENDING: '2', AUDO_EQ_STORAGE_ENABLED: 'false' });
  const pid = server.process.pid!;
  const target = readFixture('indie_pop/target.wav');
  const reference = readFixture('indie_pop/reference.wav');
  const master = async (): Promise<Outcome> => {
    const response = await postMaster(server.baseUrl, target, reference, { signal: AbortSignal.timeout(REQUEST_DEADLINE_MS) });
    if (response.status === 200) {
      await response.arrayBuffer();
      return { status: 200, retryAfter: null };
    }
    const body = (await response.json()) as { detail: { code: string } };
    return { status: response.status, code: body.detail.code, retryAfter: response.headers.get('retry-after') };
  };
  try {
    // Warm up (worker code compiled, allocator grown once) before taking the baseline.
    for (let i = 0; i < 2; i++) assert.is((await master()).status, 200);
    const baselineMiB = memoryMiB(pid).rss;
    const tallies: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const outcomes = await Promise.all(Array.from({ length: BURST }, master));
      const ok = outcomes.filter((o) => o.status === 200);
      const refused = outcomes.filter((o) => o.status !== 200);
      assert.ok(ok.length >= 3, `one running and two waiting are always admitted (got ${ok.length})`);
      assert.ok(refused.length >= 1, 'the burst is larger than the capacity');
      for (const outcome of refused) {
        assert.equal([outcome.status, outcome.code], [503, 'overloaded']);
        assert.ok(Number(outcome.retryAfter) > 0, `Retry-After ${outcome.retryAfter}`);
      }
      tallies.push(`${ok.length}×200 + ${refused.length}×503`);
    }
    const settled = await settleTo(() => memoryMiB(pid).rss, (rss) => rss <= baselineMiB + SETTLED_SLACK_MIB, 30_000);
    console.log(`burst: ${tallies.join(', ')}; RSS baseline ${baselineMiB.toFixed(0)} MiB, peak ${memoryMiB(pid).peak.toFixed(0)} MiB, settled ${settled.toFixed(0)} MiB`);
    assert.ok(settled <= baselineMiB + SETTLED_SLACK_MIB, `RSS ${settled.toFixed(0)} MiB did not return to the ${baselineMiB.toFixed(0)} MiB baseline`);
    assert.is((await fetch(`${server.baseUrl}/health`)).status, 200);
  } finally {
    assert.is(await server.stop(), 0);
  }
});

test.run();
