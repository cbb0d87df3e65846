// A mastering worker that dies on purpose when a job's target starts with
// `CRASH` (an uncaught error) or `EXIT` (the thread exits with code 3), and
// otherwise is the real worker: lets tests see the pool replace a dead worker.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
// Registered before the real worker's listener, so it sees each job first.
parentPort.on('message', (message) => {
  const upload = message.type === 'master' ? message.job.target : message.job.file;
  const head = new TextDecoder().decode(upload.bytes.subarray(0, 5));
  if (head.startsWith('CRASH')) throw new Error('mastering worker blew up on purpose');
  if (head.startsWith('EXIT')) process.exit(3);
});
await import('../../../runtimes/node/mastering-worker.ts');
