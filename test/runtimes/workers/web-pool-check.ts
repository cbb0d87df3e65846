// Run under Deno or Bun by test/runtimes/web-pool.test.ts: drives the Web
// Worker pool through a normal job, a bad upload, a crashing worker (and, if
// asked, an exiting one) and prints one JSON line with what it saw.
import { createWebWorkerPool } from '../../../runtimes/shared/web-worker-pool.ts';
import { AudoEqError } from '../../../core/domain/errors.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../../core/mastering/options.ts';
import { tinyWav } from '../../support/doubles.ts';

const markers = (globalThis as unknown as { process?: { argv: string[] } }).process?.argv.includes('--exit') ? ['CRASH', 'EXIT'] : ['CRASH'];
const pool = createWebWorkerPool({ size: 1, maxWaiting: 4, workerUrl: new URL('./crashing-web-worker.ts', import.meta.url) });
const job = (id: string, target: Uint8Array) => ({ correlationId: id, target: { bytes: target }, reference: { bytes: tinyWav(8000) }, options: DEFAULT_MASTERING_OPTIONS });
const outcome = (promise: Promise<{ wav: Uint8Array; events: readonly { name: string }[] }>) =>
  promise.then(
    (result) => ({ ok: true, wavBytes: result.wav.byteLength, events: result.events.map((e) => e.name) }),
    (error: unknown) => ({ ok: false, product: error instanceof AudoEqError, code: error instanceof AudoEqError ? error.code : null, message: String((error as Error).message) }),
  );

const report: Record<string, unknown> = {};
report.good = await outcome(pool.run(job('good', tinyWav(8000))));
report.bad = await outcome(pool.run(job('bad', new TextEncoder().encode('words, not audio'))));
for (const marker of markers) {
  report[marker] = await outcome(pool.run(job(marker, new TextEncoder().encode(`${marker} and more`))));
  report[`after${marker}`] = await outcome(pool.run(job(`after-${marker}`, tinyWav(8000))));
}
await pool.close();
console.log(JSON.stringify(report));
