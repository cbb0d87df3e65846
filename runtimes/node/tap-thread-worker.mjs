// Entry of the tap thread. Node 20 does not hand the main thread's tsx
// loader to worker threads, so the thread registers tsx itself before loading
// the TypeScript worker (as mastering-worker.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./tap-thread-worker.ts');
