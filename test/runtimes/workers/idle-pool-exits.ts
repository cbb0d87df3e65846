// Runs one job on a Node worker pool of two (so the job borrows the idle
// core: its worker keeps a reference thread) and never closes it: the process must
// still end by itself (idle workers do not hold it open). Prints the WAV size.
import { createNodeWorkerPool } from '../../../runtimes/node/pool.ts';
import { DEFAULT_MASTERING_OPTIONS } from '../../../core/mastering/options.ts';
import { tinyWav } from '../../support/doubles.ts';

const pool = createNodeWorkerPool({ size: 2, maxWaiting: 0 });
const result = await pool.run({ correlationId: 'idle-1', target: { bytes: tinyWav(8000) }, reference: { bytes: tinyWav(8000) }, options: DEFAULT_MASTERING_OPTIONS });
console.log(`wav ${result.wav.byteLength}`);
