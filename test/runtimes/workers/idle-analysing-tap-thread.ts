// Starts a tap thread, has it analyse a reference and never closes it: the
// process must still end by itself (neither the analysis's hold nor the
// thread's own keeps it open once the answer is in).
import { DEFAULT_INGEST_POLICY } from '../../../core/domain/policies.ts';
import { analyzeReferenceFilesOn } from '../../../runtimes/node/reference-analysis-thread.ts';
import { startTapThread } from '../../../runtimes/node/tap-thread.ts';

const thread = startTapThread();
const [reference] = await analyzeReferenceFilesOn(thread.worker, [process.argv[2]], DEFAULT_INGEST_POLICY);
if (!(await thread.ready)) throw new Error('the tap thread did not start');
console.log(`analysed ${reference.analysis.integratedLufs?.toFixed(2)} LUFS`);
