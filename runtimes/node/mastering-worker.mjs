// Entry of a mastering worker thread. Node 20 does not hand the main thread's
// tsx loader to worker threads (`execArgv: ['--import', 'tsx']` is not
// honoured there), so the worker registers tsx itself before loading the
// TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./mastering-worker.ts');
